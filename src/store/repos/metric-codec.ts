/**
 * How a chunk of metric points is packed into bytes (pure; no I/O).
 *
 * A chunk holds the points of one series (instance, metric, period) in one window of `slots`
 * slots. It starts with a presence bitmap (one bit per slot), then the present points in slot
 * order, each field as a zig-zag varint of its difference from the previous point's:
 *   raw (10 s):  value
 *   rollup:      count (plain varint), sum, min, max
 * Values are the catalog's quantized integers, so a steady series costs one or two bytes per
 * point and sums stay exact. Arithmetic is on JavaScript numbers (safe to 2^53), not 32-bit.
 */

export interface RawPoint {
  slot: number;
  value: number;
}

export interface RollupPoint {
  slot: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

const RAW = 1;
const ROLLUP = 2;

class Writer {
  private buf: Uint8Array;
  len = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(16, size));
  }
  private room(n: number) {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  uvarint(v: number) {
    this.room(8);
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }
  svarint(v: number) {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  done(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.len);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('metric chunk is truncated');
    return this.buf[this.pos++]!;
  }
  slice(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('metric chunk is truncated');
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
    }
  }
  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}

function bitmap(slots: number, present: Iterable<number>): Uint8Array {
  const bits = new Uint8Array(Math.ceil(slots / 8));
  for (const s of present) {
    if (s < 0 || s >= slots || !Number.isInteger(s)) throw new RangeError(`slot ${s} is outside a chunk of ${slots}`);
    bits[s >> 3]! |= 1 << (s & 7);
  }
  return bits;
}

function slotsOf(bits: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    if (b === 0) continue;
    for (let j = 0; j < 8; j++) if (b & (1 << j)) out.push(i * 8 + j);
  }
  return out;
}

/** Packs raw points (any order; one per slot — a repeated slot keeps the first). */
export function encodeRaw(slots: number, points: readonly RawPoint[]): Buffer {
  const sorted = dedupe(points);
  const w = new Writer(2 + Math.ceil(slots / 8) + sorted.length * 2);
  w.byte(RAW);
  w.uvarint(slots);
  w.bytes(bitmap(slots, sorted.map((p) => p.slot)));
  let prev = 0;
  for (const p of sorted) {
    w.svarint(p.value - prev);
    prev = p.value;
  }
  return w.done();
}

export function decodeRaw(data: Uint8Array): RawPoint[] {
  const r = new Reader(data);
  if (r.byte() !== RAW) throw new RangeError('not a raw metric chunk');
  const slots = r.uvarint();
  const present = slotsOf(r.slice(Math.ceil(slots / 8)));
  let prev = 0;
  return present.map((slot) => {
    prev += r.svarint();
    return { slot, value: prev };
  });
}

export function encodeRollup(slots: number, points: readonly RollupPoint[]): Buffer {
  const sorted = dedupe(points);
  const w = new Writer(2 + Math.ceil(slots / 8) + sorted.length * 6);
  w.byte(ROLLUP);
  w.uvarint(slots);
  w.bytes(bitmap(slots, sorted.map((p) => p.slot)));
  let sum = 0, min = 0, max = 0;
  for (const p of sorted) {
    w.uvarint(p.count);
    w.svarint(p.sum - sum);
    w.svarint(p.min - min);
    w.svarint(p.max - max);
    ({ sum, min, max } = p);
  }
  return w.done();
}

export function decodeRollup(data: Uint8Array): RollupPoint[] {
  const r = new Reader(data);
  if (r.byte() !== ROLLUP) throw new RangeError('not a rollup metric chunk');
  const slots = r.uvarint();
  const present = slotsOf(r.slice(Math.ceil(slots / 8)));
  let sum = 0, min = 0, max = 0;
  return present.map((slot) => {
    const count = r.uvarint();
    sum += r.svarint();
    min += r.svarint();
    max += r.svarint();
    return { slot, count, sum, min, max };
  });
}

function dedupe<T extends { slot: number }>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.slot - b.slot);
  return sorted.filter((p, i) => i === 0 || sorted[i - 1]!.slot !== p.slot);
}

/** Aggregates values into one rollup point (the values are quantized integers). */
export function aggregate(slot: number, values: readonly number[]): RollupPoint {
  let sum = 0, min = Infinity, max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { slot, count: values.length, sum, min, max };
}

/** Combines rollup points of finer buckets into one point of a coarser bucket. */
export function combine(slot: number, parts: readonly RollupPoint[]): RollupPoint {
  let count = 0, sum = 0, min = Infinity, max = -Infinity;
  for (const p of parts) {
    count += p.count;
    sum += p.sum;
    if (p.min < min) min = p.min;
    if (p.max > max) max = p.max;
  }
  return { slot, count, sum, min, max };
}

/** Packs one pushed sample: (metric id, quantized value) pairs. */
export function encodeSample(values: ReadonlyArray<readonly [number, number]>): Buffer {
  const w = new Writer(values.length * 4);
  for (const [id, q] of values) {
    w.uvarint(id);
    w.svarint(q);
  }
  return w.done();
}

export function decodeSample(data: Uint8Array): Array<[number, number]> {
  const r = new Reader(data);
  const out: Array<[number, number]> = [];
  while (r.pos < data.length) out.push([r.uvarint(), r.svarint()]);
  return out;
}
