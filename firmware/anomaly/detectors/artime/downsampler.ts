/**
 * ARTime's first stage: one value per block of `step` samples that keeps a spike visible.
 *
 * At the end of each block: the block mean m, its max and min. A moving average a of the
 * block means (a ← (a + m) / 2, started at the first mean) says which side is unusual: the
 * block's value is its max, or its min when the min is further from a. A value within 10 %
 * of the mean (|v − m| < 0.1 m) is replaced by the mean, so ordinary jitter is smoothed while a
 * spike of one sample survives the downsampling.
 */
export class Downsampler {
  /** The block value, valid after `push` returned true. */
  value = 0;
  private readonly block: Float64Array;
  private filled = 0;
  private blocks = 0;
  private average = 0;

  constructor(readonly step: number) {
    this.block = new Float64Array(step);
  }

  /** Adds a sample; true when it completed a block (then `value` holds the block's value). */
  push(x: number): boolean {
    this.block[this.filled++] = x;
    if (this.filled < this.step) return false;
    this.filled = 0;
    let sum = 0;
    let max = -Infinity;
    let min = Infinity;
    for (let k = 0; k < this.step; k++) {
      const v = this.block[k]!;
      sum += v;
      if (v > max) max = v;
      if (v < min) min = v;
    }
    const mean = sum / this.step;
    if (this.blocks === 0) this.average = mean;
    this.average = (this.average + mean) / 2;
    this.blocks++;
    let v = Math.abs(max - this.average) < Math.abs(min - this.average) ? min : max;
    if (Math.abs(v - mean) < 0.1 * mean) v = mean;
    this.value = v;
    return true;
  }

  reset(): void {
    this.filled = 0;
    this.blocks = 0;
    this.average = 0;
    this.value = 0;
  }
}
