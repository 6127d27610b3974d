/**
 * IPv4 addresses as numbers.
 *
 * An IPv4 address is a 32-bit unsigned integer written as four decimal octets
 * (`10.0.1.7` = 10·2²⁴ + 0·2¹⁶ + 1·2⁸ + 7 = 167772423). Every range computation in IPAM —
 * "is this address in that block", "the smallest free address", "do two blocks overlap" — is
 * integer arithmetic on that number, and the store keeps it next to the text (`address_num`)
 * so that the database can order and range-scan addresses.
 *
 * The text form is strict: exactly four octets, each 0–255, in plain decimal without leading
 * zeros (`010.0.0.1` is refused: some parsers read a leading zero as octal, so the address
 * would mean different things to different programs).
 */

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** The address as a number in [0, 2³²), or undefined when `text` is not a strict dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

/** The dotted-quad text of a number in [0, 2³²). */
export function formatIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not an IPv4 address number: ${n}`);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
