/**
 * Out-of-band access in the long operations: the tenant's own BMC account.
 *
 * Provisioning creates, on the instance's server, a BMC account for its tenant — role
 * Operator (power, boot, console; never account or disk management), username
 * `tenant-<the instance id's 8 chars>` — so DescribeOutbandInfo can hand out credentials that
 * are not the operator's admin account. Its password is random and strong, and stored only
 * sealed (context = the instance id) in `bmc_accounts` BEFORE the BMC is asked to create the
 * account: a crash in between leaves a record of an account that may exist, never an
 * account nobody knows about. A re-run reuses the recorded password (idempotent).
 *
 * The rescue of a failed provisioning and a return remove the account from the BMC, then the
 * record. When the BMC refuses for good, the server is quarantined — a tenant must not keep
 * a way into a server the next tenant gets — and the record stays, so the leak is visible
 * (reconcile/access-invariants.ts) until an operator cleans the BMC.
 *
 * A return's final transaction deletes the instance's out-of-band mappings; their VIPs and
 * the instance's backup IPs are `ip_allocations` rows owned by the instance, released by the
 * flow's `releaseByOwner` right after.
 *
 * The password is sealed with the flows' `secrets` (the master-key box the composition root
 * hands the task engine) before the BMC ever sees it.
 */
import { randomInt } from 'node:crypto';
import { deleteBmcAccount, getBmcAccount, insertBmcAccount } from '../../store/repos/bmc-accounts.ts';
import { deleteMappingsOf } from '../../store/repos/outband.ts';
import type { FlowStep, StepContext } from '../../tasks/flow.ts';
import { MINUTE, onServer, quarantine } from '../common-steps.ts';
import type { FlowDeps } from '../deps.ts';
import type { Capability } from './capability.ts';

/** The tenant account's username on the BMC of `instanceId` (bms-3k9x0a1z → tenant-3k9x0a1z). */
export function tenantBmcUsername(instanceId: string): string {
  return `tenant-${instanceId.slice(instanceId.indexOf('-') + 1)}`;
}

const PASSWORD_CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '@#%^*-_+='];
const PASSWORD_LENGTH = 16; // within what IPMI 2.0 BMCs accept (20)

/** A random password with every character class, from a CSPRNG. */
export function newBmcPassword(): string {
  const all = PASSWORD_CLASSES.join('');
  const chars = PASSWORD_CLASSES.map((c) => c[randomInt(c.length)]!);
  while (chars.length < PASSWORD_LENGTH) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

type Ctx = StepContext<FlowDeps>;

/** The recorded password of the instance's account, or a new one recorded (sealed) now. */
async function recordedPassword(ctx: Ctx, serverId: string): Promise<string> {
  const instanceId = ctx.task.instanceId!;
  const sealer = ctx.deps.secrets;
  const existing = await getBmcAccount(ctx.deps.store.db, instanceId);
  if (existing) return sealer.open(existing.passwordEnc, instanceId);
  const stored = await insertBmcAccount(ctx.deps.store.db, {
    instanceId, serverId, username: tenantBmcUsername(instanceId), passwordEnc: sealer.seal(newBmcPassword(), instanceId), createdAt: ctx.now(),
  });
  return sealer.open(stored.passwordEnc, instanceId);
}

const createBmcAccount: FlowStep<FlowDeps> = {
  name: 'create-bmc-account', timeoutMs: 5 * MINUTE,
  run: (ctx) => onServer(ctx, async ({ driver, target }) => {
    const password = await recordedPassword(ctx, target.serverId);
    await driver.management.ensureBmcAccount(target, { username: tenantBmcUsername(ctx.task.instanceId!), password, role: 'Operator' });
  }),
};

const removeBmcAccount: FlowStep<FlowDeps> = {
  name: 'remove-bmc-account', timeoutMs: 5 * MINUTE,
  run: (ctx) => onServer(ctx, async ({ driver, target }) => {
    const instanceId = ctx.task.instanceId!;
    const account = await getBmcAccount(ctx.deps.store.db, instanceId);
    if (!account) return;
    if (account.serverId !== target.serverId) {
      // Never drive a BMC this task does not hold; the record stays and the invariant check reports it.
      ctx.deps.logger.warn({ instanceId, taskId: ctx.task.id, serverId: account.serverId }, 'tenant BMC account is on another server; left for the operator');
      return;
    }
    await driver.management.removeBmcAccount(target, account.username);
    await deleteBmcAccount(ctx.deps.store.db, instanceId);
  }),
  fallback: quarantine,
};

export const accessCapability: Capability = {
  name: 'access',
  provisionSteps: [createBmcAccount],
  provisionRescueSteps: [removeBmcAccount],
  returnSteps: [removeBmcAccount],
  async release(tx, { instanceId }) {
    await deleteMappingsOf(tx, instanceId);
  },
};
