/**
 * What a call can throw. Every error the service answers is a `BmsError` carrying the API's
 * `code` (e.g. `ResourceNotFound`, `InvalidParameterValue`) and the `requestId` to quote to an
 * operator; transport failures are `BmsNetworkError` (with `sent`: whether the request may have
 * reached the service); waiters throw `BmsWaiterError` (deadline passed, or the resource failed).
 */

/** An error answered by the service: `{"Response":{"Error":{"Code","Message"},"RequestId"}}`. */
export class BmsError extends Error {
  override readonly name = 'BmsError';
  constructor(
    /** The API error code, e.g. `ResourceNotFound` or `AuthFailure.SignatureFailure`. */
    readonly code: string,
    message: string,
    /** The RequestId the service gave this request (empty when it answered none). */
    readonly requestId: string,
    /** `service:Action` the error answers. */
    readonly action: string,
    /** HTTP status of the answer (always 200 from BMS; other values come from proxies). */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

/** The request did not get an answer: refused connection, reset, timeout, or a non-JSON body. */
export class BmsNetworkError extends Error {
  override readonly name = 'BmsNetworkError';
  readonly code = 'NetworkError';
  constructor(
    message: string,
    /** false when the request certainly never reached the service (e.g. connection refused). */
    readonly sent: boolean,
    readonly action: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A waiter gave up: its deadline passed (`code` `WaiterTimeout`) or what it waited for failed (`WaiterFailed`). */
export class BmsWaiterError extends Error {
  override readonly name = 'BmsWaiterError';
  constructor(
    readonly code: 'WaiterTimeout' | 'WaiterFailed',
    message: string,
    /** The ids (instances or tasks) that did not reach the goal. */
    readonly pending: string[],
  ) {
    super(message);
  }
}
