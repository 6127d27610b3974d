/**
 * Power, as the BMC drives it: read the state, switch it, power-cycle.
 *
 * - `getPowerState` takes a short BMC round-trip and reports the state at its end, so a power
 *   button pressed meanwhile (`SimLab.pressPowerButton`) is what the sync loop sees.
 * - `setPowerState` to the state the server is already in is an immediate no-op: no delay, no
 *   power action, and so no `power-fails` fault can strike it.
 * - `reboot` power-cycles a running server (60 s) and powers on one that is off (20 s).
 * - A `power-fails` fault fails the action half-way with the power unchanged.
 */
import type { PowerInterface, PowerStateReading } from '../interfaces/hardware.ts';
import type { SimBmc, SimCall } from './bmc.ts';
import type { SimStep } from './timing.ts';

export function simPower(bmc: SimBmc): PowerInterface {
  return {
    getPowerState: (target) =>
      bmc.call(target, 'getPowerState', async (call) => {
        await call.pass('readPowerState');
        return (await call.current()).power;
      }),

    setPowerState: (target, state) =>
      bmc.call(target, 'setPowerState', async (call) => {
        if (state !== 'on' && state !== 'off') throw call.failure(`unknown power state ${JSON.stringify(state)}`);
        if (call.state.power === state) return;
        await drivePower(call, state === 'on' ? 'powerOn' : 'powerOff', state);
      }),

    reboot: (target) =>
      bmc.call(target, 'reboot', (call) => drivePower(call, call.state.power === 'on' ? 'reboot' : 'powerOn', 'on')),
  };
}

async function drivePower(call: SimCall, step: SimStep, to: PowerStateReading): Promise<void> {
  if (await call.faultFires('power-fails')) {
    await call.pass(step, 0.5);
    throw call.failure(`${step} of server ${call.serverId} failed: the BMC reported a power control error`);
  }
  await call.pass(step);
  await call.change((s) => {
    s.power = to;
  });
}
