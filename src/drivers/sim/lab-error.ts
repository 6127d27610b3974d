/**
 * Errors of the lab's control surface (adding servers, injecting faults), as opposed to the
 * hardware's own failures, which are `DriverError`s.
 *
 * A caller such as the operator API decides on `code`, never on the message: `unknown-server`
 * is a server the lab has no hardware for, `server-exists` a second `addServer` with different
 * hardware, `invalid` a malformed inventory or fault.
 */

export type SimLabErrorCode = 'unknown-server' | 'server-exists' | 'invalid';

export class SimLabError extends Error {
  override readonly name = 'SimLabError';

  constructor(
    readonly code: SimLabErrorCode,
    message: string,
  ) {
    super(message);
  }
}
