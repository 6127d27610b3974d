/**
 * The CLI's exit codes (documented in `bms --help` and the README). Distinct so scripts can
 * tell a refused request from a typo, a deadline and a batch that half worked.
 */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** The service answered an error (the code and RequestId are printed), or every item of a batch failed. */
  API_ERROR: 1,
  /** The command line is wrong: unknown command, option or parameter, a bad value, a missing requirement. */
  USAGE: 2,
  /** --wait gave up at its deadline (--timeout), or the service did not answer in time. */
  TIMEOUT: 3,
  /** A batch partly failed: some items succeeded, the ones named on stderr did not. */
  PARTIAL: 4,
  /** No answer from the service at all (connection refused, reset, not JSON). */
  NETWORK: 5,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
