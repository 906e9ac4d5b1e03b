import type { Detector } from './detector.js';

/**
 * A detector fed the mean of each block of `size` samples instead of every sample.
 *
 * Why: the detectors' windows are counted in samples and were tuned on NAB, whose series are
 * 5-minute aggregates. On a 100 Hz sensor stream the default ensemble's 400-point k-NN
 * training set is 4 s of history and its "same time yesterday" channel looks 2.9 s back, so
 * a fault that develops over minutes (a bearing wearing, a lamp dimming) is learned as normal
 * as fast as it grows. A block mean keeps the detector's memory 10× longer at 10 Hz, averages
 * the sensor noise down by √size, and costs a tenth of the CPU. What it gives up is a
 * transient shorter than a block: the conflict monitor and the lamp-out check watch those,
 * sample by sample, not the anomaly detectors.
 *
 * Between block ends `update` returns the score of the last block (0 before the first), so
 * the caller's per-sample bookkeeping (current score, alert edges) sees a score that holds.
 * A non-finite sample (a sensor fault) is left out of the block, as the Detector contract
 * asks; a block of nothing but faults is not passed on. Allocates nothing per sample.
 */
export class BlockMeanDetector implements Detector {
  readonly name: string;
  private sum = 0;
  private count = 0;
  private seen = 0;
  private held = 0;

  constructor(
    private readonly inner: Detector,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`block size must be a positive integer, not ${size}`);
    this.name = inner.name;
  }

  update(tMs: number, value: number): number {
    this.seen++;
    if (Number.isFinite(value)) {
      this.sum += value;
      this.count++;
    }
    if (this.seen < this.size) return this.held;
    if (this.count > 0) this.held = this.inner.update(tMs, this.sum / this.count);
    this.sum = 0;
    this.count = 0;
    this.seen = 0;
    return this.held;
  }

  reset(): void {
    this.inner.reset();
    this.sum = this.count = this.seen = this.held = 0;
  }
}

/** Samples per detector update for a stream sampled at `streamHz` scored at `detectHz` (at least 1). */
export function blockSize(streamHz: number, detectHz: number): number {
  return Math.max(1, Math.round(streamHz / detectHz));
}

/** `detector` fed block means of `size` samples, or `detector` itself when `size` is 1. */
export function inBlocks(detector: Detector, size: number): Detector {
  return size > 1 ? new BlockMeanDetector(detector, size) : detector;
}
