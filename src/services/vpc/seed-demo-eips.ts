/**
 * The demo cloud's public address pool: one block per ISP line from the documentation ranges
 * (RFC 5737 — never routed on the Internet, fine for a lab), so that AllocateAddresses,
 * RunInstances with InternetAccessible, Associate/DisassociateAddress and bandwidth changes
 * work on a fresh `npm start` with no operator step. Seeded once (a `demo.eip-pool` setting):
 * an operator who trims the pool afterwards keeps it trimmed. BMS_DEMO_EIPS=0 leaves it out.
 */
import { formatIpv4, parseCidr, usableRange } from '../../network/ipam.ts';
import { addPoolAddresses, findPoolAddresses } from '../../store/repos/eips.ts';
import { getSetting, setSetting } from '../../store/repos/settings.ts';
import type { Store } from '../../store/store.ts';

/** The demo pool: ISP → block. */
export const DEMO_EIP_BLOCKS: ReadonlyArray<readonly [isp: string, cidr: string]> = [
  ['BGP', '203.0.113.0/24'],
  ['CTCC', '198.51.100.0/25'],
  ['CUCC', '198.51.100.128/26'],
  ['CMCC', '198.51.100.192/26'],
];

export async function seedDemoEips(store: Store, region: string, now: number): Promise<void> {
  if (await getSetting(store.db, 'demo.eip-pool')) return;
  await store.transaction(async (tx) => {
    for (const [isp, block] of DEMO_EIP_BLOCKS) {
      const parsed = parseCidr(block);
      if (!parsed.ok) throw new Error(`demo EIP block ${block} is not a CIDR`);
      const { first, last } = usableRange(parsed.cidr);
      const addresses: string[] = [];
      for (let n = first - 1; n <= last; n++) addresses.push(formatIpv4(n)); // every host address (usableRange keeps .1 for a gateway)
      const taken = new Set((await findPoolAddresses(tx, addresses)).map((a) => a.address)); // an operator's own entries stay theirs
      await addPoolAddresses(tx, region, isp, addresses.filter((a) => !taken.has(a)), now);
    }
    await setSetting(tx, 'demo.eip-pool', 'done');
  });
}
