/**
 * Per-stream sample history: two typed arrays (time, value) used as a circular buffer.
 * Allocated once, from the stream's sampling rate and the window the runtime keeps, so the
 * hot path (`push`) never allocates. When full, the oldest sample is overwritten and counted:
 * history is for charts, refits and the lamp self-test, where the newest data matters most.
 *
 * The arrays may live in a SharedArrayBuffer so that worker threads (the refit job, the lamp
 * self-test) read the same memory without a copy. Only the control thread writes; readers
 * accept that a sample may be overwritten while they copy (they re-check `total`).
 */
const META_HEAD = 0;
const META_COUNT = 1;
const META_DROPPED = 2;
const META_TOTAL = 3;
const META_LEN = 4;

export interface SampleRingShared {
  readonly capacity: number;
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
}

export class SampleRing {
  readonly capacity: number;
  readonly times: Float64Array;
  readonly values: Float64Array;
  /** [head, count, dropped, total] as float64 so the whole ring is one buffer. */
  private readonly meta: Float64Array;
  readonly buffer: SharedArrayBuffer | ArrayBuffer;

  constructor(capacity: number, options: { shared?: boolean; buffer?: SharedArrayBuffer | ArrayBuffer } = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    const bytes = (META_LEN + 2 * capacity) * 8;
    this.buffer = options.buffer ?? (options.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    if (this.buffer.byteLength !== bytes) throw new RangeError(`ring buffer is ${this.buffer.byteLength} bytes, expected ${bytes}`);
    this.meta = new Float64Array(this.buffer, 0, META_LEN);
    this.times = new Float64Array(this.buffer, META_LEN * 8, capacity);
    this.values = new Float64Array(this.buffer, (META_LEN + capacity) * 8, capacity);
  }

  /** Re-opens a ring another thread allocated. */
  static attach(shared: SampleRingShared): SampleRing {
    return new SampleRing(shared.capacity, { buffer: shared.buffer });
  }

  get shared(): SampleRingShared {
    return { capacity: this.capacity, buffer: this.buffer };
  }

  get length(): number {
    return this.meta[META_COUNT]!;
  }
  /** Samples overwritten before anyone could read them out of the window. */
  get dropped(): number {
    return this.meta[META_DROPPED]!;
  }
  /** Samples ever pushed. */
  get total(): number {
    return this.meta[META_TOTAL]!;
  }

  push(tMs: number, value: number): void {
    const m = this.meta;
    const head = m[META_HEAD]!;
    this.times[head] = tMs;
    this.values[head] = value;
    m[META_HEAD] = head + 1 === this.capacity ? 0 : head + 1;
    if (m[META_COUNT]! < this.capacity) m[META_COUNT] = m[META_COUNT]! + 1;
    else m[META_DROPPED] = m[META_DROPPED]! + 1;
    m[META_TOTAL] = m[META_TOTAL]! + 1;
  }

  /** Index into the arrays of the i-th oldest sample held (0 = oldest). */
  private index(i: number): number {
    const m = this.meta;
    let k = m[META_HEAD]! - m[META_COUNT]! + i;
    if (k < 0) k += this.capacity;
    return k;
  }

  valueAt(i: number): number {
    return this.values[this.index(i)]!;
  }
  timeAt(i: number): number {
    return this.times[this.index(i)]!;
  }

  /** Newest value, or NaN when empty. */
  latest(): number {
    return this.length === 0 ? NaN : this.valueAt(this.length - 1);
  }
  latestTime(): number {
    return this.length === 0 ? NaN : this.timeAt(this.length - 1);
  }

  /** Copies up to the newest `n` samples, oldest first, into caller-owned arrays; returns how many. */
  copyLast(n: number, outT: Float64Array, outV: Float64Array): number {
    const k = Math.min(n, this.length, outT.length, outV.length);
    const start = this.length - k;
    for (let i = 0; i < k; i++) {
      const j = this.index(start + i);
      outT[i] = this.times[j]!;
      outV[i] = this.values[j]!;
    }
    return k;
  }

  clear(): void {
    this.meta.fill(0);
  }
}

export interface StreamRate {
  readonly name: string;
  readonly rateHz: number;
}

/**
 * One ring per stream, sized from the stream's rate: `windowS` seconds of history (at least
 * `minCapacity` samples so a 1 Hz stream still has a chart). All allocation happens here.
 */
export class RingSet {
  readonly rings: SampleRing[];
  readonly names: string[];
  private readonly byName = new Map<string, number>();

  constructor(streams: readonly StreamRate[], options: { windowS: number; minCapacity?: number; shared?: boolean }) {
    this.names = streams.map((s) => s.name);
    this.rings = streams.map((s, i) => {
      if (this.byName.has(s.name)) throw new Error(`stream "${s.name}" declared twice`);
      this.byName.set(s.name, i);
      const cap = Math.max(options.minCapacity ?? 64, Math.ceil(s.rateHz * options.windowS));
      return new SampleRing(cap, { shared: options.shared ?? false });
    });
  }

  indexOf(name: string): number {
    const i = this.byName.get(name);
    if (i === undefined) throw new Error(`unknown stream "${name}"; known: ${this.names.join(', ')}`);
    return i;
  }

  get(name: string): SampleRing {
    return this.rings[this.indexOf(name)]!;
  }

  /** Bytes preallocated for all streams. */
  get bytes(): number {
    let b = 0;
    for (const r of this.rings) b += r.buffer.byteLength;
    return b;
  }

  get dropped(): number {
    let d = 0;
    for (const r of this.rings) d += r.dropped;
    return d;
  }
}
