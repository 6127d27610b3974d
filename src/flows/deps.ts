/**
 * What flow steps need: the store, and a way to reach a server's hardware.
 *
 * `servers.get(id)` returns the server's driver (by its hardware type) and its BMC target with
 * the admin credentials opened — built by the composition root, so flows never see how
 * secrets are sealed or which hardware type a server is.
 */
import type { HardwareDriver, ServerTarget } from '../drivers/interfaces/hardware.ts';
import type { Store } from '../store/store.ts';

export interface ServerAccess {
  get(serverId: string): Promise<{ driver: HardwareDriver; target: ServerTarget }>;
}

/** Sealing secrets at rest (iam/secret-box's SecretBox fits); flows never see the key. */
export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export interface FlowDeps {
  store: Store;
  servers: ServerAccess;
  secrets: SecretSealer;
  logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /**
   * Where an installed monitoring agent pushes (the service's agent endpoint URL); absent → no
   * agent is installed even when MonitorService is on.
   */
  agentPushUrl?: string;
}
