/**
 * The value range CAD OSE quantises into 2^bits levels.
 *
 * NAB hands its detectors the minimum and maximum of the whole file, which a stream cannot
 * know (and which an anomalous spike later in the file sets). Mode 0, the default, is the
 * honest streaming equivalent: the range of everything seen so far, widened whenever a value
 * falls outside it (never narrowed, so a level once learnt keeps meaning roughly the same
 * band). Mode 1 takes a fixed [min, max] from the caller: with NAB's whole-file minimum and
 * maximum it reproduces NAB's setup, look-ahead included, for comparison only.
 */
export class ValueRange {
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fixed: boolean,
    private readonly fixedMin: number,
    private readonly fixedMax: number,
    private readonly levels: number,
  ) {
    this.reset();
  }

  /** Level 0 … levels−1 of x (x is finite); widens the streaming range first. */
  level(x: number): number {
    if (!this.fixed) {
      if (x < this.lo) this.lo = x;
      if (x > this.hi) this.hi = x;
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
  }
}
