/**
 * DescribeOutbandInfo: the tenant's own BMC account of an instance — User, Password and the
 * server's Sn — created by provisioning (flows/capabilities/access.ts). Never the operator's
 * admin account: that one is only ever opened in memory by the flows.
 *
 * The password is stored sealed (context = the instance id) and opened only here, for this
 * response. Every read is recorded in `secret_reads` (who: account, user, SecretId; which
 * instance; RequestId; source IP; when) in the same transaction as the read, so a password is
 * never handed out without its audit row. The log line says a read happened, never what.
 */
import { randomUUID } from 'node:crypto';
import type { DescribeOutbandInfoRequest } from '../../generated/bms.ts';
import { normalizeId } from '../../shared/ids.ts';
import { getBmcAccount } from '../../store/repos/bmc-accounts.ts';
import { recordSecretRead } from '../../store/repos/secret-reads.ts';
import type { BmsServiceDeps } from '../bms-deps.ts';
import { ownInstances } from '../instances/lookups.ts';
import type { Handler } from '../types.ts';
import { noBmcAccount } from './errors.ts';
import { serverPlace } from '../../store/repos/fleet-servers.ts';

export function describeOutbandInfo(deps: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeOutbandInfoRequest;
    const who = ctx.principal;
    const info = await deps.store.transaction(async (tx) => {
      const [inst] = await ownInstances(tx, who.accountUin, [normalizeId(p.InstanceId)]);
      const account = await getBmcAccount(tx, inst!.id);
      if (!account || inst!.status === 'TERMINATING') throw noBmcAccount(inst!.id, inst!.status);
      const server = await serverPlace(tx, account.serverId);
      if (!server) throw new Error(`server ${account.serverId} of ${inst!.id}'s BMC account is not registered`);
      await recordSecretRead(tx, {
        id: randomUUID(), kind: 'bmc-account', accountUin: who.accountUin, userUin: who.userUin, secretId: who.secretId,
        resourceId: inst!.id, requestId: ctx.requestId, sourceIp: ctx.sourceIp, at: ctx.now,
      });
      return { User: account.username, Password: deps.box.open(account.passwordEnc, inst!.id), Sn: server.sn };
    });
    deps.logger?.info({ requestId: ctx.requestId, instanceId: normalizeId(p.InstanceId), user: who.userUin, secretId: who.secretId }, 'tenant BMC account read');
    return { OutbandInfo: [info] };
  };
}
