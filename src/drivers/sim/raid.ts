/**
 * The RAID controller: one array across the server's physical disks.
 *
 * A layout needs enough disks (`MIN_DISKS`; RAID10 an even number); asking for one the
 * hardware cannot build, or an unknown type, is `failed`. Building the layout the controller
 * already holds is an immediate no-op, so a retried step does not destroy anything. Building
 * a different one takes ~2 min and makes any installed OS unreachable (`os` cleared) — but,
 * as on a real controller, initialising an array does not erase the disks: they stay dirty
 * until a wipe, which is why cleaning always wipes. Power is left as it was.
 */
import type { RaidInterface } from '../interfaces/hardware.ts';
import type { SimBmc, SimCall } from './bmc.ts';

const MIN_DISKS: Readonly<Record<string, number>> = { NORAID: 1, RAID0: 1, RAID1: 2, RAID5: 3, RAID10: 4 };

export function simRaid(bmc: SimBmc): RaidInterface {
  return {
    buildRaid: (target, raidType) =>
      bmc.call(target, 'buildRaid', async (call) => {
        const layout = String(raidType).toUpperCase();
        checkBuildable(call, layout);
        if (call.state.raid === layout) return;
        if (await call.faultFires('raid-fails')) {
          await call.pass('buildRaid', 0.5);
          throw call.failure(`the RAID controller of server ${call.serverId} failed to build ${layout}`);
        }
        await call.pass('buildRaid');
        await call.change((s) => {
          s.raid = layout;
          s.os = null;
        });
      }),
  };
}

function checkBuildable(call: SimCall, layout: string): void {
  const needed = MIN_DISKS[layout];
  if (needed === undefined) throw call.failure(`unknown RAID type ${layout}; known: ${Object.keys(MIN_DISKS).join(', ')}`);
  const disks = call.state.inventory.disks.length;
  if (disks < needed || (layout === 'RAID10' && disks % 2 !== 0)) {
    throw call.failure(`${layout} cannot be built on the ${disks} disk(s) of server ${call.serverId}`);
  }
}
