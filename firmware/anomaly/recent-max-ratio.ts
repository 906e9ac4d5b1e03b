/**
 * Calibrates a raw non-negative anomaly measure against its own recent history: returns
 * v / (v + max of the previous `window` values), so 0.5 means "as extreme as the worst of
 * the recent past" and values towards 1 mean "far beyond anything recent". A stream whose
 * raw measure is heavy-tailed (tweet counts, bursty CPU) thereby needs a proportionally
 * larger excursion to alert than a quiet one, which one corpus-wide threshold cannot do.
 * The sliding maximum is a monotonic deque of indices in an Int32Array ring: O(1) amortised.
 */
export class RecentMaxRatio {
  private readonly values: Float64Array;
  private readonly deque: Int32Array;
  private readonly window: number;
  private dqHead = 0;
  private dqLen = 0;
  private t = 0;

  constructor(window: number) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
    this.window = window;
    this.values = new Float64Array(window);
    // the window's w indices plus the one being added
    this.deque = new Int32Array(window + 1);
  }

  /** The ratio for v against the previous values (0 until there is a history), then remembers v. */
  push(v: number): number {
    const w = this.window;
    const cap = w + 1;
    // drop indices that left the window (the previous w samples are t−w … t−1)
    while (this.dqLen > 0 && this.deque[this.dqHead]! < this.t - w) {
      this.dqHead = (this.dqHead + 1) % cap;
      this.dqLen--;
    }
    let ratio = 0;
    if (this.dqLen > 0) {
      const max = this.values[this.deque[this.dqHead]! % w]!;
      ratio = v + max > 0 ? v / (v + max) : 0.5;
    }
    // keep the deque decreasing: values below v can never be the max again
    while (this.dqLen > 0) {
      const lastPos = (this.dqHead + this.dqLen - 1) % cap;
      if (this.values[this.deque[lastPos]! % w]! <= v) this.dqLen--;
      else break;
    }
    this.values[this.t % w] = v;
    this.deque[(this.dqHead + this.dqLen) % cap] = this.t;
    this.dqLen++;
    this.t++;
    return ratio;
  }

  reset(): void {
    this.values.fill(0);
    this.deque.fill(0);
    this.dqHead = this.dqLen = this.t = 0;
  }
}
