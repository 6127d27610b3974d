/**
 * The `vpc` service (Tencent VPC 2017-03-12 subset, SPEC §6): tenant networks for bare metal.
 *
 * Its spec is src/spec/vpc.json; the handlers live in ./vpc/ — VPCs, subnets, their two
 * Describe actions, and EIPs (addresses*.ts) — and every one of them sees only the calling
 * account's resources in the request's region. The handlers need transactions (for their check-then-write sequences), so
 * the service takes the whole store rather than a bare database handle.
 */
import vpcSpec from '../spec/vpc.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import type { Store } from '../store/store.ts';
import type { ServiceDefinition } from './types.ts';
import { allocateAddresses, modifyAddressesBandwidth, releaseAddresses } from './vpc/addresses.ts';
import { associateAddress, disassociateAddress } from './vpc/addresses-binding.ts';
import { describeAddresses } from './vpc/addresses-describe.ts';
import { describeSubnets, describeVpcs } from './vpc/describe.ts';
import { createSubnet, deleteSubnet } from './vpc/subnets.ts';
import { createVpc, deleteVpc } from './vpc/vpcs.ts';

export const VPC_SPEC = serviceSpecSchema.parse(vpcSpec);

export function vpcService(store: Store): ServiceDefinition {
  return {
    spec: VPC_SPEC,
    audience: 'tenant',
    handlers: {
      CreateVpc: createVpc(store),
      DescribeVpcs: describeVpcs(store),
      DeleteVpc: deleteVpc(store),
      CreateSubnet: createSubnet(store),
      DescribeSubnets: describeSubnets(store),
      DeleteSubnet: deleteSubnet(store),
      AllocateAddresses: allocateAddresses(store),
      DescribeAddresses: describeAddresses(store),
      AssociateAddress: associateAddress(store),
      DisassociateAddress: disassociateAddress(store),
      ModifyAddressesBandwidth: modifyAddressesBandwidth(store),
      ReleaseAddresses: releaseAddresses(store),
    },
  };
}
