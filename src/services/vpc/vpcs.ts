/**
 * VPCs: CreateVpc and DeleteVpc.
 *
 * A VPC is a tenant's private network in one region: one private IPv4 block (and optionally
 * an IPv6 /56 or /64) that its subnets divide. An account has at most `VPC_LIMIT` VPCs per
 * region (Tencent's quota). Both actions run in one transaction that first takes a lock — the
 * account's for CreateVpc, the VPC's for DeleteVpc — so that their check (the count, the
 * subnets left) still holds when they write, on any number of server nodes.
 *
 * Parameters this deployment cannot keep (DNS servers, DHCP domain name, tags) are refused with
 * UnsupportedOperation rather than accepted and forgotten; so is multicast, which BMS networks
 * do not offer.
 */
import type { CreateVpcRequest, DeleteVpcRequest } from '../../generated/vpc.ts';
import { newId } from '../../shared/ids.ts';
import type { Store, Tx } from '../../store/store.ts';
import { listSubnetsOfVpc } from '../../store/repos/subnets.ts';
import { countVpcs, deleteVpc as deleteVpcRow, insertVpc, lockAccount, lockVpc, type Vpc, type VpcScope } from '../../store/repos/vpcs.ts';
import type { Handler } from '../types.ts';
import { multicastUnsupported, notStored, vpcInUse, vpcLimitExceeded, vpcNotFound } from './errors.ts';
import { idParam, scopeOf, vpcCidrParam, vpcIpv6Param } from './params.ts';
import { vpcView } from './views.ts';

export const VPC_LIMIT = 20;

export interface NewVpc {
  scope: VpcScope;
  name: string;
  /** Canonical, already validated (see params.ts). */
  cidr: string;
  ipv6Cidr: string | null;
  now: number;
}

/** Creates a VPC within the account's quota. Call inside a transaction. */
export async function createVpcIn(tx: Tx, v: NewVpc): Promise<Vpc> {
  if (!(await lockAccount(tx, v.scope.accountUin))) throw new Error(`account ${v.scope.accountUin} does not exist`);
  if ((await countVpcs(tx, v.scope)) >= VPC_LIMIT) throw vpcLimitExceeded(VPC_LIMIT, v.scope.region);
  return insertVpc(tx, {
    id: newId('vpc'), accountUin: v.scope.accountUin, region: v.scope.region, name: v.name, cidr: v.cidr, ipv6Cidr: v.ipv6Cidr,
    createdAt: v.now,
  });
}

export function createVpc(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateVpcRequest;
    const cidr = vpcCidrParam(p.CidrBlock);
    const ipv6Cidr = p.Ipv6CidrBlock ? vpcIpv6Param(p.Ipv6CidrBlock) : null;
    refuseUnkept(p);
    const vpc = await store.transaction((tx) => createVpcIn(tx, { scope: scopeOf(ctx), name: p.VpcName, cidr, ipv6Cidr, now: ctx.now }));
    return { Vpc: vpcView(vpc) };
  };
}

function refuseUnkept(p: CreateVpcRequest): void {
  if (p.EnableMulticast === 'true') throw multicastUnsupported();
  if (p.DnsServers?.length) throw notStored('DnsServers');
  if (p.DomainName) throw notStored('DomainName');
  if (p.Tags?.length) throw notStored('Tags');
}

export function deleteVpc(store: Store): Handler {
  return async (ctx, params) => {
    const id = idParam('VpcId', (params as unknown as DeleteVpcRequest).VpcId, 'vpc');
    const scope = scopeOf(ctx);
    await store.transaction(async (tx) => {
      if (!(await lockVpc(tx, scope, id))) throw vpcNotFound(id);
      const subnets = await listSubnetsOfVpc(tx, id);
      if (subnets.length > 0) throw vpcInUse(id, subnets.map((s) => s.id));
      await deleteVpcRow(tx, scope, id);
    });
    return {};
  };
}
