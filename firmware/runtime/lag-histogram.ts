/**
 * Fixed-bucket latency histogram (ms) that allocates nothing when observing, plus the raw
 * observations since the last drain (for exact Prometheus histograms on the status thread).
 */
export const LAG_BUCKETS_MS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000] as const;

export class LagHistogram {
  readonly counts = new Float64Array(LAG_BUCKETS_MS.length + 1);
  count = 0;
  sum = 0;
  max = 0;
  private readonly recent: Float64Array;
  private recentLen = 0;

  constructor(recentCapacity = 512) {
    this.recent = new Float64Array(recentCapacity);
  }

  observe(ms: number): void {
    let i = 0;
    while (i < LAG_BUCKETS_MS.length && ms > LAG_BUCKETS_MS[i]!) i++;
    this.counts[i] = this.counts[i]! + 1;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    if (this.recentLen < this.recent.length) this.recent[this.recentLen++] = ms;
  }

  /** Observations since the last call (a copy, at the status update rate, not per sample). */
  drainRecent(): number[] {
    const out = Array.from(this.recent.subarray(0, this.recentLen));
    this.recentLen = 0;
    return out;
  }

  /** The raw observations kept (up to the capacity), oldest first, without draining them. */
  values(): Float64Array {
    return this.recent.slice(0, this.recentLen);
  }

  /** Approximate quantile from the buckets (upper bound of the bucket holding it). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = q * this.count;
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!;
      if (acc >= target) return i < LAG_BUCKETS_MS.length ? LAG_BUCKETS_MS[i]! : this.max;
    }
    return this.max;
  }
}
