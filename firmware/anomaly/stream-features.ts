import { RollingWindow } from './rolling-window.js';

/**
 * Engineered features of a univariate stream, computed causally and without allocation:
 * the value, its first and second lags' differences, and at each of three scales the
 * distance from the rolling mean and the rolling deviation, all in units of the long-scale
 * deviation so that the features of streams with different units look alike.
 *
 *   0  x − mean(long)            (level)
 *   1  x − x₋₁                   (step)
 *   2  x − x₋₂
 *   3  x₋₁ − x₋₂                 (the previous step: spikes are a step up then down)
 *   4,5  x − mean(s), sd(s)      s = short
 *   6,7  x − mean(m), sd(m)      m = medium
 *   8,9  x − mean(l), sd(l)      l = long
 */
export const FEATURE_COUNT = 10;

export class StreamFeatures {
  private readonly scales: RollingWindow[];
  private prev1 = Number.NaN;
  private prev2 = Number.NaN;
  private seen = 0;

  constructor(short = 8, medium = 32, long = 128) {
    this.scales = [new RollingWindow(short), new RollingWindow(medium), new RollingWindow(long)];
  }

  /** Samples seen so far. */
  get count(): number {
    return this.seen;
  }

  /** Pushes x and writes the FEATURE_COUNT features into out[offset…]. */
  push(x: number, out: Float64Array, offset: number): void {
    for (const s of this.scales) s.push(x);
    this.seen++;
    const longScale = this.scales[2]!;
    const unit = Math.max(longScale.std(), 1e-9 * Math.abs(longScale.mean()), 1e-12);
    const p1 = Number.isNaN(this.prev1) ? x : this.prev1;
    const p2 = Number.isNaN(this.prev2) ? p1 : this.prev2;
    out[offset] = (x - longScale.mean()) / unit;
    out[offset + 1] = (x - p1) / unit;
    out[offset + 2] = (x - p2) / unit;
    out[offset + 3] = (p1 - p2) / unit;
    for (let k = 0; k < 3; k++) {
      const s = this.scales[k]!;
      out[offset + 4 + 2 * k] = (x - s.mean()) / unit;
      out[offset + 5 + 2 * k] = s.std() / unit;
    }
    this.prev2 = this.prev1;
    this.prev1 = x;
  }

  reset(): void {
    for (const s of this.scales) s.clear();
    this.prev1 = this.prev2 = Number.NaN;
    this.seen = 0;
  }
}
