/**
 * The API as data: the spec parses, is complete, every action has a handler, and the committed
 * generated types match the spec.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generate, generatedPath, loadSpec, SPECS } from '../scripts/codegen.ts';
import { BMS_SPEC, bmsService } from '../src/services/bms-service.ts';
import { checkReferences } from '../src/spec/model.ts';

const REFERENCE_ACTIONS = [
  'CreateBackupIP', 'CreateDisasterRecoverGroup', 'CreateHeartbeat', 'CreateOutbandIP', 'DeleteDisasterRecoverGroups',
  'DeleteHeartbeats', 'DeleteOutbandIP', 'DescribeDisasterRecoverGroups', 'DescribeDisks', 'DescribeFlavors',
  'DescribeHeartbeats', 'DescribeInstances', 'DescribeOutbandIP', 'DescribeOutbandInfo', 'ModifyHeartbeat',
  'ModifyInstancesAttribute', 'ModifyInstancesGroupId', 'RebootInstances', 'ResetInstance', 'ReturnBackupIP',
  'RunInstances', 'StartInstances', 'StopInstances', 'TerminateInstances', 'UpdateDisasterRecoverGroup', 'UpdateHeartbeat',
];
const EXTENSIONS = ['QueryTask', 'InquiryPriceBmsInstanceForTrade', 'DescribeRegions', 'DescribeZones', 'DescribeTasks'];

describe('bms spec', () => {
  it('has the 26 reference actions and the SPEC §6 extensions, marked as such', () => {
    const byOrigin = (o: string) => Object.entries(BMS_SPEC.actions).filter(([, a]) => a.origin === o).map(([n]) => n).sort();
    assert.deepEqual(byOrigin('reference'), [...REFERENCE_ACTIONS].sort());
    assert.deepEqual(byOrigin('extension'), [...EXTENSIONS].sort());
  });

  it('references only structures it defines', () => {
    assert.deepEqual(checkReferences(BMS_SPEC), []);
  });

  it('carries the SPEC §2 rate limits', () => {
    const limit = (a: string) => BMS_SPEC.actions[a]!.rateLimit;
    assert.equal(limit('DescribeInstances'), 40);
    assert.equal(limit('DescribeFlavors'), 40);
    for (const a of ['CreateBackupIP', 'CreateHeartbeat', 'CreateOutbandIP', 'DeleteHeartbeats', 'DeleteOutbandIP', 'DescribeDisks',
      'DescribeHeartbeats', 'DescribeOutbandIP', 'DescribeOutbandInfo', 'ModifyHeartbeat', 'ReturnBackupIP', 'UpdateHeartbeat']) {
      assert.equal(limit(a), 20, a);
    }
    assert.equal(limit('RunInstances'), 10);
  });

  it('keeps the reference\'s wire oddities (RunInstances TaskId as strings plus BmsId; groups under GroupId)', () => {
    const out = (a: string, f: string) => BMS_SPEC.actions[a]!.output.find((m) => m.name === f);
    assert.equal(out('RunInstances', 'TaskId')?.type, 'String');
    assert.equal(out('RunInstances', 'BmsId')?.array, true);
    assert.equal(out('DescribeDisasterRecoverGroups', 'GroupId')?.ref, 'DisasterRecoverGroup');
    assert.equal(out('StartInstances', 'TaskId')?.type, 'Uint64');
  });

  it('every action has a handler, and nothing else does', () => {
    const service = bmsService({ regions: undefined as never, store: undefined as never, scheduler: undefined as never, box: undefined as never });
    const missing = Object.keys(BMS_SPEC.actions).filter((a) => typeof service.handlers[a] !== 'function');
    assert.deepEqual(missing, [], `actions without a handler: ${missing.join(', ')}`);
    const extra = Object.keys(service.handlers).filter((a) => !(a in BMS_SPEC.actions));
    assert.deepEqual(extra, []);
  });

  for (const name of SPECS) {
    it(`src/generated/${name}.ts is what scripts/codegen.ts makes from the spec (run npm run codegen)`, () => {
      assert.equal(readFileSync(generatedPath(name), 'utf8'), generate(loadSpec(name)));
    });
  }
});
