/**
 * Vibration RMS over a sliding window of acceleration samples (fan bearings, a pole swaying).
 * Keeps ring buffers of the three axes and the magnitude in typed arrays with running sums,
 * so each sample is O(1) and allocates nothing. The RMS is of the AC part (mean removed), so
 * gravity and a tilted mounting do not count as vibration. Running sums are recomputed from
 * the buffer once per window to stop floating-point drift.
 */
export class VibrationRms {
  /** Channels: x, y, z, magnitude. */
  private readonly buf: Float64Array[];
  private readonly sum = new Float64Array(4);
  private readonly sumSq = new Float64Array(4);
  private head = 0;
  private n = 0;
  private sinceResum = 0;

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 2) throw new RangeError(`vibration window must be an integer >= 2, got ${window}`);
    this.buf = [0, 1, 2, 3].map(() => new Float64Array(window));
  }

  /** Samples held (at most `window`). */
  get count(): number {
    return this.n;
  }

  push(x: number, y: number, z: number): void {
    const m = Math.sqrt(x * x + y * y + z * z);
    const full = this.n === this.window;
    const h = this.head;
    this.put(0, h, x, full);
    this.put(1, h, y, full);
    this.put(2, h, z, full);
    this.put(3, h, m, full);
    this.head = h + 1 === this.window ? 0 : h + 1;
    if (!full) this.n++;
    if (++this.sinceResum >= this.window) this.resum();
  }

  /** AC RMS of the magnitude, g (0 until two samples are in). */
  rms(): number {
    return this.channelRms(3);
  }

  /** AC RMS of one axis: 0 = x, 1 = y, 2 = z. */
  axisRms(axis: 0 | 1 | 2): number {
    return this.channelRms(axis);
  }

  reset(): void {
    this.head = 0;
    this.n = 0;
    this.sinceResum = 0;
    this.sum.fill(0);
    this.sumSq.fill(0);
  }

  private put(c: number, h: number, v: number, full: boolean): void {
    const b = this.buf[c]!;
    if (full) {
      const old = b[h]!;
      this.sum[c]! -= old;
      this.sumSq[c]! -= old * old;
    }
    b[h] = v;
    this.sum[c]! += v;
    this.sumSq[c]! += v * v;
  }

  private channelRms(c: number): number {
    if (this.n < 2) return 0;
    const mean = this.sum[c]! / this.n;
    const v = this.sumSq[c]! / this.n - mean * mean;
    return v > 0 ? Math.sqrt(v) : 0;
  }

  private resum(): void {
    this.sinceResum = 0;
    for (let c = 0; c < 4; c++) {
      const b = this.buf[c]!;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < this.n; i++) {
        s += b[i]!;
        s2 += b[i]! * b[i]!;
      }
      this.sum[c] = s;
      this.sumSq[c] = s2;
    }
  }
}
