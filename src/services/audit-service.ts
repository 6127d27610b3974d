/**
 * The `audit` service (2019-03-19, named and shaped after Tencent CloudAudit): a tenant reads
 * its own account's audit trail with LookUpEvents. Its spec is src/spec/audit.json. The
 * operator reads every account's with bmsops DescribeAuditEvents.
 */
import auditSpec from '../spec/audit.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import type { Store } from '../store/store.ts';
import { lookUpEvents } from './audit/lookup-events.ts';
import type { ServiceDefinition } from './types.ts';

export const AUDIT_SPEC = serviceSpecSchema.parse(auditSpec);

export function auditService(deps: { store: Store }): ServiceDefinition {
  return {
    spec: AUDIT_SPEC,
    audience: 'tenant',
    handlers: {
      LookUpEvents: lookUpEvents(deps),
    },
  };
}
