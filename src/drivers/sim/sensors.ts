/**
 * Sensors, as the BMC reads them: the power the server draws and its inlet temperature.
 *
 * A server that is off draws standby power (~10 W); one that is on draws an idle floor sized by
 * its cores and memory, plus a load that follows the day and wanders. The inlet temperature is
 * the cold aisle's (about 22 ℃, a little warmer in the afternoon and higher up the rack's
 * serial number order), with noise. Readings are a pure function of the server and the lab's
 * clock (per 10 s), so the same instant reads the same. Like every call they pass the BMC's
 * checks: a `bmc-unreachable` fault makes the read fail `unreachable`.
 */
import type { SensorsInterface } from '../interfaces/hardware.ts';
import type { SimBmc } from './bmc.ts';
import { seededUnit as unit } from '../../shared/seeded-random.ts';

export function simSensors(bmc: SimBmc, now: () => number): SensorsInterface {
  return {
    readSensors: (target) =>
      bmc.call(target, 'readSensors', async (call) => {
        await call.pass('readSensors');
        const state = await call.current();
        const t = Math.floor(now() / 1000);
        const slot = Math.floor(t / 10);
        const hour = ((t / 3600) + 8) % 24;
        const daily = 0.5 + 0.5 * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
        const id = call.serverId;
        const idle = 60 + state.inventory.cpuCores * 2.5 + state.inventory.memoryGb * 0.3;
        const powerWatts = state.power === 'off'
          ? 8 + 4 * unit(id, slot)
          : idle * (1 + 0.9 * daily * unit(id, 0)) + 25 * (unit(id, slot) - 0.5);
        const inletTempC = 20.5 + 3 * unit(id, 1) + 1.5 * daily + 0.4 * (unit(id, slot + 7) - 0.5);
        return { powerWatts: Math.round(powerWatts), inletTempC: Math.round(inletTempC * 10) / 10 };
      }),
  };
}
