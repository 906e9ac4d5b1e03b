/**
 * The last `capacity` values, kept both in arrival order (to know which leaves next) and
 * sorted (to rank a value in log n). Replacing the conformal k-NN's linear rank scan over its
 * 400 calibration scores, which cost as much per sample as the SIMD distance pass itself.
 * An insertion or eviction moves at most `capacity` doubles with one native memmove.
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private n = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get count(): number {
    return this.n;
  }

  /** The largest value held (0 when empty). */
  max(): number {
    return this.n === 0 ? 0 : this.sorted[this.n - 1]!;
  }

  /** How many held values are strictly less than `x`. */
  countBelow(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `x`, evicting the oldest value once full. NaN is refused: it has no rank. */
  push(x: number): void {
    if (Number.isNaN(x)) throw new RangeError('SortedWindow.push: NaN');
    const s = this.sorted;
    if (this.n === this.capacity) {
      const i = this.countBelow(this.ring[this.head]!); // an index holding the oldest value
      s.copyWithin(i, i + 1, this.n);
      this.n--;
    }
    const at = this.countBelow(x);
    s.copyWithin(at + 1, at, this.n);
    s[at] = x;
    this.n++;
    this.ring[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
  }

  clear(): void {
    this.head = this.n = 0;
  }
}
