/**
 * What the fleet handlers need: the store (with transactions, for check-then-write), the
 * secret box (BMC passwords are sealed before they reach a row, with the server id as
 * context), and the simulated datacenter's control surface, where `sim` servers are racked
 * when they are registered and where faults are injected. Real (`redfish`) servers never
 * touch the lab.
 */
import type { LabControl } from '../../drivers/lab.ts';
import type { SecretBox } from '../../iam/secret-box.ts';
import type { Store } from '../../store/store.ts';

export interface FleetDeps {
  store: Store;
  box: SecretBox;
  sim: LabControl;
  /** The BMC URL of a simulated server over the lab's Redfish face (absent when the face is off). */
  labRedfishUrl?: (serverId: string) => string | undefined;
}
