/**
 * A fixed-size window over the last `size` values with O(1) mean and variance, kept in a
 * Float64Array ring. Sums are recomputed from scratch every `size` pushes so that floating
 * point drift from add/subtract never accumulates over a long-running stream.
 */
export class RollingWindow {
  readonly size: number;
  private readonly buf: Float64Array;
  private head = 0;
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceExact = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be a positive integer, got ${size}`);
    this.size = size;
    this.buf = new Float64Array(size);
  }

  /** Adds a value, evicting the oldest when full. */
  push(x: number): void {
    if (this.n === this.size) {
      const old = this.buf[this.head]!;
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.n++;
    }
    this.buf[this.head] = x;
    this.sum += x;
    this.sumSq += x * x;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    if (++this.sinceExact >= this.size) this.recompute();
  }

  private recompute(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.n; i++) {
      const v = this.buf[i]!;
      s += v;
      q += v * v;
    }
    this.sum = s;
    this.sumSq = q;
    this.sinceExact = 0;
  }

  get count(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n === this.size;
  }

  mean(): number {
    return this.n === 0 ? 0 : this.sum / this.n;
  }

  /** Population variance (never negative). */
  variance(): number {
    if (this.n === 0) return 0;
    const m = this.sum / this.n;
    const v = this.sumSq / this.n - m * m;
    return v > 0 ? v : 0;
  }

  std(): number {
    return Math.sqrt(this.variance());
  }

  /** The value pushed `lag` pushes ago (0 = newest); undefined order if lag >= count. */
  at(lag: number): number {
    let i = this.head - 1 - lag;
    while (i < 0) i += this.size;
    return this.buf[i]!;
  }

  clear(): void {
    this.buf.fill(0);
    this.head = 0;
    this.n = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.sinceExact = 0;
  }
}
