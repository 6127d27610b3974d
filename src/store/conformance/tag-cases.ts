/**
 * Conformance cases for resource tags (migration 0031, repos/resource-tags.ts): one table read
 * by every tag consumer, narrowed to the owning account on every call, and the tag catalogue.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { resourceTags } from '../migrations/0031-resource-tags.ts';
import {
  catalogueKeysPage, catalogueSize, catalogueTags, catalogueTagsPage, forgetTagsOf, isCatalogued, isTagInUse, removeTags,
  resourceTagRows, resourcesTagged, setTags, tagCountOf, tagsOfResource, tagsOfResources, uncatalogueTag, type TaggedResource,
} from '../repos/resource-tags.ts';
import { createAccount } from '../repos/accounts.ts';
import { anAccount, T0 } from './fixtures.ts';
import { freshStore, type StoreHarness } from './harness.ts';

const A = { accountUin: '100001', region: 'ap-guangzhou' };
const B = { accountUin: '100002', region: 'ap-guangzhou' };
const i1: TaggedResource = { kind: 'instance', id: 'bms-aaaa0001' };
const i2: TaggedResource = { kind: 'instance', id: 'bms-aaaa0002' };
const v1: TaggedResource = { kind: 'vpc', id: 'vpc-aaaa0001' };
const e1: TaggedResource = { kind: 'eip', id: 'eip-bbbb0001' };

export function defineTagCases(h: StoreHarness): void {
  test('tags: set adds or replaces per key, reads are per account, removal and forgetting', async (t) => {
    const { db } = await freshStore(t, h);
    await setTags(db, A, [i1, i2], [{ key: 'env', value: 'prod' }, { key: 'team', value: 'web' }], T0);
    await setTags(db, A, [i1], [{ key: 'env', value: 'staging' }], T0 + 1);
    await setTags(db, A, [v1], [{ key: '环境', value: '生产' }], T0);
    await setTags(db, B, [e1], [{ key: 'env', value: 'prod' }], T0);

    assert.deepEqual(await tagsOfResource(db, A.accountUin, i1), [{ key: 'env', value: 'staging' }, { key: 'team', value: 'web' }]);
    const many = await tagsOfResources(db, A.accountUin, [i1, i2, v1, e1]);
    assert.deepEqual(many.get('instance/bms-aaaa0002'), [{ key: 'env', value: 'prod' }, { key: 'team', value: 'web' }]);
    assert.deepEqual(many.get('vpc/vpc-aaaa0001'), [{ key: '环境', value: '生产' }]);
    assert.deepEqual(many.get('eip/eip-bbbb0001'), [], 'another account\'s resource has no tags for A');
    assert.equal(await tagCountOf(db, A.accountUin, i1), 2);

    const prod = await resourcesTagged(db, A.accountUin, { conditions: [{ key: 'env', values: ['prod'] }] });
    assert.deepEqual(prod.resources.map((r) => r.id), ['bms-aaaa0002']);
    const both = await resourcesTagged(db, A.accountUin, { conditions: [{ key: 'env' }, { key: 'team', values: ['web'] }] });
    assert.equal(both.total, 2);
    const vpcs = await resourcesTagged(db, A.accountUin, { conditions: [], kinds: ['vpc'] });
    assert.deepEqual(vpcs.resources, [{ kind: 'vpc', id: 'vpc-aaaa0001', region: 'ap-guangzhou' }]);
    const page = await resourcesTagged(db, A.accountUin, { conditions: [], offset: 1, limit: 1 });
    assert.equal(page.total, 3);
    assert.equal(page.resources.length, 1);

    const rows = await resourceTagRows(db, A.accountUin, { resourceIds: ['bms-aaaa0001', 'eip-bbbb0001'], offset: 0, limit: 10 });
    assert.deepEqual(rows.rows.map((r) => `${r.id}:${r.key}=${r.value}`), ['bms-aaaa0001:env=staging', 'bms-aaaa0001:team=web']);

    assert.equal(await removeTags(db, B.accountUin, i1, ['env']), 0, 'B cannot take A\'s tags off');
    assert.equal(await removeTags(db, A.accountUin, i1, ['env', 'nope']), 1);
    await forgetTagsOf(db, B.accountUin, [i2]);
    assert.equal(await tagCountOf(db, A.accountUin, i2), 2, 'B cannot forget A\'s resource');
    await forgetTagsOf(db, A.accountUin, [i2]);
    assert.equal(await tagCountOf(db, A.accountUin, i2), 0);
  });

  test('tags: the catalogue holds created and attached tags and knows which are in use', async (t) => {
    const { db } = await freshStore(t, h);
    assert.equal(await catalogueTags(db, A.accountUin, [{ key: 'env', value: 'dev' }], T0), 1);
    assert.equal(await catalogueTags(db, A.accountUin, [{ key: 'env', value: 'dev' }], T0), 0);
    await setTags(db, A, [i1], [{ key: 'env', value: 'prod' }], T0);
    assert.ok(await isCatalogued(db, A.accountUin, { key: 'env', value: 'prod' }));
    assert.ok(!(await isCatalogued(db, B.accountUin, { key: 'env', value: 'prod' })));
    assert.ok(await isTagInUse(db, A.accountUin, { key: 'env', value: 'prod' }));
    assert.ok(!(await isTagInUse(db, A.accountUin, { key: 'env', value: 'dev' })));
    assert.deepEqual(await catalogueSize(db, A.accountUin, 'env'), { keys: 1, valuesOfKey: 2 });
    const page = await catalogueTagsPage(db, A.accountUin, { offset: 0, limit: 10 });
    assert.deepEqual(page.tags, [{ key: 'env', value: 'dev', inUse: false }, { key: 'env', value: 'prod', inUse: true }]);
    assert.deepEqual(await catalogueKeysPage(db, A.accountUin, { offset: 0, limit: 10 }), { total: 1, keys: ['env'] });
    assert.ok(await uncatalogueTag(db, A.accountUin, { key: 'env', value: 'dev' }));
    assert.ok(!(await uncatalogueTag(db, A.accountUin, { key: 'env', value: 'dev' })));
    assert.equal((await catalogueTagsPage(db, B.accountUin, { offset: 0, limit: 10 })).total, 0);
  });

  test('tags: migration 0031 carries the old instance tags over (live instances, their region, the catalogue)', async (t) => {
    const { db } = await freshStore(t, h);
    await resourceTags.down!(db); // back to instance_tags
    const account = await createAccount(db, anAccount(1));
    await sql`insert into regions (region, name, name_en, state) values ('ap-guangzhou', 'gz', 'gz', 'AVAILABLE')`.execute(db);
    await sql`insert into zones (zone, region, zone_id, name, name_en, state) values ('gz-9', 'ap-guangzhou', 9, 'z', 'z', 'AVAILABLE')`.execute(db);
    for (const [id, deleted] of [['bms-live0001', null], ['bms-gone0001', T0]] as const) {
      await sql`insert into instances (id, account_uin, zone, flavor_id, server_id, name, host_name, os_type, os_name, cpu_arch, raid_type,
        status, vpc_id, subnet_id, private_ip, password_hash, enhanced_service, user_defined, group_id, error, created_at, updated_at, deleted_at)
        values (${id}, ${account.uin}, 'gz-9', 'f', null, 'n', 'h', 'Linux', 'os', 'x86', 'NONE', 'RUNNING', 'vpc-1', 'subnet-1', null, null, '{}', 0,
        null, null, ${T0}, ${T0}, ${deleted})`.execute(db);
      await sql`insert into instance_tags (instance_id, tag_key, tag_value) values (${id}, 'env', 'prod')`.execute(db);
    }
    await resourceTags.up(db);
    const rows = await resourceTagRows(db, account.uin, { offset: 0, limit: 10 });
    assert.deepEqual(rows.rows, [{ kind: 'instance', id: 'bms-live0001', region: 'ap-guangzhou', key: 'env', value: 'prod' }]);
    assert.ok(await isCatalogued(db, account.uin, { key: 'env', value: 'prod' }));
  });
}
