/**
 * The server's heartbeat port on the top-of-rack switch.
 *
 * A heartbeat group puts its members' heartbeat ports in one VLAN; leaving it puts the port
 * back in the default VLAN (`undefined`). The change is made on the switch, not the BMC, so it
 * needs no BMC credentials; it takes about a second. Asking for the VLAN the port is already in
 * is an immediate no-op.
 */
import type { NetworkInterface } from '../interfaces/hardware.ts';
import type { SimBmc } from './bmc.ts';

export function simNetwork(bmc: SimBmc): NetworkInterface {
  return {
    setHeartbeatVlan: (target, vlan) =>
      bmc.call(target, 'setHeartbeatVlan', async (call) => {
        if (vlan !== undefined && !(Number.isInteger(vlan) && vlan >= 1 && vlan <= 4094)) {
          throw call.failure(`VLAN ${vlan} is outside 1–4094`);
        }
        const wanted = vlan ?? null;
        if (call.state.heartbeatVlan === wanted) return;
        await call.pass('setVlan');
        await call.change((s) => {
          s.heartbeatVlan = wanted;
        });
      }),
  };
}
