/**
 * A handler for actions whose resources this build does not manage yet.
 *
 * It answers UnsupportedOperation with the reason, so a caller knows the action exists, that
 * its request was valid (validation runs first), and what is missing — instead of a vague
 * failure. Replacing one of these with a real handler is how a capability lands.
 */
import { unsupportedOperation } from '../shared/errors.ts';
import type { Handler } from './types.ts';

export function notYetAvailable(action: string, needs: string, needsZh: string): Handler {
  return async () => {
    throw unsupportedOperation(
      `${action} is not available in this deployment yet: it needs ${needs}.`,
      `当前部署暂不支持 ${action}：需要${needsZh}。`,
    );
  };
}
