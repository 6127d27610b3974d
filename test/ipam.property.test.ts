/**
 * IPAM, property-tested: the pure address arithmetic behind VPCs and subnets, checked against
 * brute-force oracles over random inputs (fast-check).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  addressProblem, checkSubnetCidr, checkVpcCidr, cidrsOverlap, findOverlap, formatCidr, formatIpv4, formatIpv6, gatewayAddress,
  lastAddress, maskOf, parseCidr, parseIpv4, parseIpv6, parseIpv6Cidr, smallestFree, subnetBlock, subnetBlockCount, usableCount,
  usableRange, type Cidr,
} from '../src/network/ipam.ts';

const address = fc.integer({ min: 0, max: 0xffffffff });
const octets = fc.tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 255 })));
const cidrIn = (minPrefix: number, maxPrefix: number) =>
  fc.tuple(address, fc.integer({ min: minPrefix, max: maxPrefix })).map(([a, prefix]): Cidr => ({ network: maskOf(a, prefix), prefix }));
/** A subnet-sized block inside 10.0.0.0/16, so random blocks collide often. */
const smallBlock = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 16, max: 29 }))
  .map(([low, prefix]): Cidr => ({ network: maskOf(0x0a000000 + low, prefix), prefix }));
const span = (c: Cidr) => [c.network, lastAddress(c)] as const;
const intersects = (a: Cidr, b: Cidr) => span(a)[0] <= span(b)[1] && span(b)[0] <= span(a)[1];

describe('IPv4 addresses', () => {
  it('number → text → number is the identity', () => {
    fc.assert(fc.property(address, (n) => parseIpv4(formatIpv4(n)) === n));
  });

  it('text → number → text is the identity for dotted quads', () => {
    fc.assert(fc.property(octets, (o) => formatIpv4(parseIpv4(o.join('.'))!) === o.join('.')));
  });

  it('refuses octets over 255, leading zeros and the wrong number of parts', () => {
    fc.assert(fc.property(octets, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 256, max: 9999 }), (o, i, big) => {
      const over = [...o]; over[i] = big;
      const padded = [...o].map(String); padded[i] = `0${padded[i]}`;
      return parseIpv4(over.join('.')) === undefined && parseIpv4(padded.join('.')) === undefined
        && parseIpv4(o.slice(0, 3).join('.')) === undefined && parseIpv4([...o, 1].join('.')) === undefined;
    }));
    for (const bad of ['', '1.2.3', '1.2.3.4.', ' 1.2.3.4', '1.2.3.-4', '1.2.3.0x4', '1..3.4']) assert.equal(parseIpv4(bad), undefined, bad);
  });
});

describe('CIDR blocks', () => {
  it('parses a block with host bits zero, and names the meant block when they are not', () => {
    fc.assert(fc.property(address, fc.integer({ min: 0, max: 32 }), (a, prefix) => {
      const parsed = parseCidr(`${formatIpv4(a)}/${prefix}`);
      const network = maskOf(a, prefix);
      if (network === a) return parsed.ok && parsed.cidr.network === a && parsed.cidr.prefix === prefix;
      return !parsed.ok && parsed.problem === 'host-bits' && parsed.canonical === formatCidr({ network, prefix });
    }));
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.256/24', '10.0.0.0/ 8', '10.0.0.0/-1']) {
      assert.deepEqual(parseCidr(bad), { ok: false, problem: 'malformed' }, bad);
    }
  });

  it('overlap is exactly interval intersection', () => {
    fc.assert(fc.property(cidrIn(0, 32), cidrIn(0, 32), (a, b) => cidrsOverlap(a, b) === intersects(a, b)));
    fc.assert(fc.property(smallBlock, smallBlock, (a, b) => cidrsOverlap(a, b) === intersects(a, b)));
  });

  it('a VPC block is accepted exactly when /12–/28 and inside an RFC 1918 range', () => {
    const ranges = [[0x0a000000, 0x0affffff], [0xac100000, 0xac1fffff], [0xc0a80000, 0xc0a8ffff]];
    fc.assert(fc.property(cidrIn(8, 30), (c) => {
      const [lo, hi] = span(c);
      const ok = c.prefix >= 12 && c.prefix <= 28 && ranges.some(([a, b]) => lo >= a! && hi <= b!);
      return (checkVpcCidr(c) === undefined) === ok;
    }));
    assert.equal(checkVpcCidr((parseCidr('172.16.0.0/12') as { cidr: Cidr }).cidr), undefined);
    assert.deepEqual(checkVpcCidr({ network: 0xc0a00000, prefix: 12 }), { problem: 'not-private' }); // 192.160.0.0/12
    assert.deepEqual(checkVpcCidr({ network: 0x0a000000, prefix: 29 }), { problem: 'prefix', min: 12, max: 28 });
  });
});

describe('subnets of a VPC', () => {
  const vpc: Cidr = { network: 0x0a000000, prefix: 16 };

  it('never accepts two overlapping subnets, and refuses only what really overlaps', () => {
    fc.assert(fc.property(fc.array(smallBlock, { maxLength: 40 }), (candidates) => {
      const accepted: Array<{ cidr: string; block: Cidr }> = [];
      for (const block of candidates) {
        assert.equal(checkSubnetCidr(block, vpc), undefined);
        const clash = findOverlap(block, accepted);
        if (clash) assert.ok(intersects(block, clash.block), 'refused without a real overlap');
        else accepted.push({ cidr: formatCidr(block), block });
      }
      for (const [i, a] of accepted.entries()) {
        for (const b of accepted.slice(i + 1)) assert.ok(!intersects(a.block, b.block), `${a.cidr} and ${b.cidr} overlap`);
      }
    }));
  });

  it('a subnet must be /16–/29 and inside its VPC', () => {
    fc.assert(fc.property(cidrIn(8, 32), (c) => {
      const ok = c.prefix >= 16 && c.prefix <= 29 && span(c)[0] >= span(vpc)[0] && span(c)[1] <= span(vpc)[1];
      return (checkSubnetCidr(c, vpc) === undefined) === ok;
    }));
  });
});

describe('allocation arithmetic', () => {
  const subnetWithTaken = smallBlock.chain((block) => fc.tuple(
    fc.constant(block),
    fc.uniqueArray(fc.integer({ min: block.network, max: lastAddress(block) }), { maxLength: 40 }),
    fc.integer({ min: 1, max: 20 }),
  ));

  it('never hands out the network, gateway or broadcast address, nor a taken one', () => {
    fc.assert(fc.property(subnetWithTaken, ([block, taken, count]) => {
      for (const n of smallestFree(usableRange(block), taken, count)) {
        assert.equal(addressProblem(block, n), undefined);
        assert.notEqual(n, block.network);
        assert.notEqual(n, gatewayAddress(block));
        assert.notEqual(n, lastAddress(block));
        assert.ok(!taken.includes(n));
      }
    }));
  });

  it('hands out exactly the smallest free addresses (brute force)', () => {
    fc.assert(fc.property(subnetWithTaken, ([block, taken, count]) => {
      const expected: number[] = [];
      for (let n = block.network; n <= lastAddress(block) && expected.length < count; n++) {
        if (addressProblem(block, n) === undefined && !taken.includes(n)) expected.push(n);
      }
      assert.deepEqual(smallestFree(usableRange(block), taken, count), expected);
    }));
  });

  it('counts usable addresses as size − 3', () => {
    fc.assert(fc.property(smallBlock, (block) => usableCount(block) === smallestFree(usableRange(block), [], 1 << 20).length));
    assert.equal(usableCount({ network: 0, prefix: 24 }), 253);
    assert.equal(usableCount({ network: 0, prefix: 29 }), 5);
  });

  it('skips everything up to `after`', () => {
    fc.assert(fc.property(subnetWithTaken, fc.nat(300), ([block, taken, count], skip) => {
      const after = block.network + skip;
      return smallestFree(usableRange(block), taken, count, after).every((n) => n > after);
    }));
  });
});

describe('IPv6', () => {
  const big = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  /** Dense in zero groups, so that `::` compression is exercised. */
  const sparse = fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 })
    .map((groups) => groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n));

  it('number → text → number is the identity, and the text is canonical (RFC 5952, as WHATWG URL writes it)', () => {
    fc.assert(fc.property(fc.oneof(big, sparse), (n) => {
      const text = formatIpv6(n);
      assert.equal(parseIpv6(text), n);
      assert.equal(`[${text}]`, new URL(`http://[${text}]/`).hostname);
    }));
  });

  it('parses every spelling of an address (upper case, leading zeros, full form) to the same number', () => {
    fc.assert(fc.property(fc.oneof(big, sparse), (n) => {
      const full = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0')).join(':');
      return parseIpv6(full) === n && parseIpv6(full.toUpperCase()) === n;
    }));
    for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '1:2:3:4:5:6:7::8']) {
      assert.equal(parseIpv6(bad), undefined, bad);
    }
  });

  it('a /56 holds 256 distinct /64 subnet blocks inside it', () => {
    const parsed = parseIpv6Cidr('fd00:0:0:100::/56');
    assert.ok(parsed.ok);
    assert.equal(subnetBlockCount(parsed.cidr), 256);
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), (i) => {
      const block = subnetBlock(parsed.cidr, i);
      return block.prefix === 64 && block.network >> 72n === parsed.cidr.network >> 72n && ((block.network >> 64n) & 0xffn) === BigInt(i);
    }));
    assert.deepEqual(parseIpv6Cidr('fd00:0:0:101::/56'), { ok: false, problem: 'host-bits', canonical: 'fd00:0:0:100::/56' });
  });
});
