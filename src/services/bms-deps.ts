/**
 * What the bms service's handlers need, all capabilities together.
 */
import type { SecretBox } from '../iam/secret-box.ts';
import type { InstanceServiceDeps } from './instances/deps.ts';

export interface BmsServiceDeps extends InstanceServiceDeps {
  /** Seals secrets the service keeps (tenant BMC account passwords). */
  box: SecretBox;
}
