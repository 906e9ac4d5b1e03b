/**
 * The value range CAD OSE quantises into 2^bits levels.
 *
 * NAB hands its detectors the minimum and maximum of the whole file, which a stream cannot
 * know (and which an anomalous spike later in the file sets). The streaming mode is the
 * honest equivalent: the extremes seen so far, widened by `margin` of their span on each side
 * (NAB's whole-file range is a median 1.7 times that of its probation), and, with `warmup`,
 * frozen after that many samples so that the levels keep their meaning; later values beyond
 * it take the edge levels unless the caller widens it (`outside`, `widen`: the detector then
 * rebuilds its memory). The fixed mode takes [min, max] from the caller: with NAB's
 * whole-file minimum and maximum it reproduces NAB's setup, look-ahead included, for
 * comparison only.
 */
export class ValueRange {
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  /** Extremes seen (streaming mode). */
  private seenLo = Number.POSITIVE_INFINITY;
  private seenHi = Number.NEGATIVE_INFINITY;
  private n = 0;

  /**
   * `margin`: the streaming range is the seen extremes widened by this share of their span
   * on each side (anticipating that later values go further). `warmup` > 0: the streaming
   * range stops widening after that many samples; values beyond it take the edge levels.
   */
  constructor(
    private readonly fixed: boolean,
    private readonly fixedMin: number,
    private readonly fixedMax: number,
    private readonly levels: number,
    private readonly margin = 0,
    private readonly warmup = 0,
  ) {
    this.reset();
  }

  /** A streaming range past its warm-up that x falls outside (it would take an edge level). */
  outside(x: number): boolean {
    return !this.fixed && this.warmup > 0 && this.n >= this.warmup && (x < this.lo || x > this.hi);
  }

  /** Widens a streaming range past its warm-up to x, with the margin (for a relearn). */
  widen(x: number): void {
    if (x < this.seenLo) this.seenLo = x;
    if (x > this.seenHi) this.seenHi = x;
    const pad = this.margin * (this.seenHi - this.seenLo);
    this.lo = this.seenLo - pad;
    this.hi = this.seenHi + pad;
  }

  /** Level 0 … levels−1 of x (x is finite); widens the streaming range first. */
  level(x: number): number {
    if (!this.fixed && (this.warmup <= 0 || this.n < this.warmup)) {
      this.n++;
      if (x < this.seenLo || x > this.seenHi) {
        if (x < this.seenLo) this.seenLo = x;
        if (x > this.seenHi) this.seenHi = x;
        const pad = this.margin * (this.seenHi - this.seenLo);
        this.lo = this.seenLo - pad;
        this.hi = this.seenHi + pad;
      }
    }
    const top = this.levels - 1;
    // CAD OSE: step = range / (levels − 1), level = trunc((x − min) / step); a flat range steps by 1
    const range = this.hi - this.lo;
    const step = range > 0 ? range / top : 1;
    const q = Math.trunc((x - this.lo) / step);
    return q < 0 ? 0 : q > top ? top : q;
  }

  reset(): void {
    this.lo = this.fixed ? this.fixedMin : Number.POSITIVE_INFINITY;
    this.hi = this.fixed ? this.fixedMax : Number.NEGATIVE_INFINITY;
    this.seenLo = Number.POSITIVE_INFINITY;
    this.seenHi = Number.NEGATIVE_INFINITY;
    this.n = 0;
  }
}
