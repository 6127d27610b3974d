/**
 * What the cam and sts handlers need: the store (transactions for check-then-write) and the
 * secret box (new SecretKeys are sealed before they reach a row).
 */
import type { SecretBox } from '../../iam/secret-box.ts';
import type { Store } from '../../store/store.ts';

export interface CamDeps {
  store: Store;
  box: SecretBox;
}
