/**
 * The spec against the vendor's Go SDK models (../shared/reference/vendor-sdk/): every field
 * the vendor's SDK and Terraform provider send or read is in src/spec/<service>.json with a type
 * both can live with (test/support/vendor-compare.ts says what fits). The comparison itself is
 * checked to fail on a missing field and on an incompatible type.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bmsJson from '../src/spec/bms.json' with { type: 'json' };
import tagJson from '../src/spec/tag.json' with { type: 'json' };
import { serviceSpecSchema, type ServiceSpec } from '../src/spec/model.ts';
import { compareWithVendor } from './support/vendor-compare.ts';
import { readVendorModel } from './support/vendor-models.ts';

const bms = serviceSpecSchema.parse(bmsJson);
const tag = serviceSpecSchema.parse(tagJson);
const bmsModel = readVendorModel('bms-2018-08-13.md');
const tagModel = readVendorModel('tag-2018-08-13.md');

describe('spec vs the vendor\'s models', () => {
  it('reads the vendor\'s bms model whole (every action, request and response fields, structures)', () => {
    assert.equal(bmsModel.actions.size, 28); // every '## <Action>' section of the file
    assert.deepEqual(bmsModel.actions.get('CreateOutbandIP')?.request.map((f) => `${f.name}:${f.type}`),
      ['InstanceId:string', 'SubnetId:string', 'VpcId:string', 'Vport:int64', 'Vip:string']);
    assert.ok(bmsModel.structures.has('DisasterRecoverGroup'));
  });

  it('bms 2018-08-13: every vendor field is in src/spec/bms.json with a compatible type', () => {
    assert.deepEqual(compareWithVendor(bms, bmsModel), []);
  });

  it('tag 2018-08-13: every field of the actions we serve is in src/spec/tag.json', () => {
    const served = { ...tagModel, actions: new Map([...tagModel.actions].filter(([name]) => name in tag.actions)) };
    assert.equal(served.actions.size, 11);
    assert.deepEqual(compareWithVendor(tag, served), []);
  });

  it('fails on a missing field and on an incompatible type', () => {
    const broken = structuredClone(bms) as ServiceSpec;
    broken.actions.CreateOutbandIP!.input = broken.actions.CreateOutbandIP!.input.filter((m) => m.name !== 'Vport');
    const vport = broken.objects.DelOutbandInfo!.members.find((m) => m.name === 'Vport')!;
    delete vport.alsoAccepts;
    const total = broken.actions.DescribeDisasterRecoverGroups!.output.find((m) => m.name === 'TotalCount')!;
    total.type = 'String';
    assert.deepEqual(compareWithVendor(broken, bmsModel), [
      'CreateOutbandIP.request.Vport: missing from the spec (vendor int64)',
      'DeleteOutbandIP.request.OutbandInfos(DelOutbandInfo).Vport: vendor int64 does not fit spec String in the request',
      'DescribeDisasterRecoverGroups.response.TotalCount: vendor int64 does not fit spec String in the response',
    ]);
  });
});
