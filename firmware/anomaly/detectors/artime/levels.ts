/**
 * ARTime's second stage: a block value becomes one of `levels` + 1 levels of [0, 1], pulled to
 * the running median level when it is within `chomp` of it.
 *
 * - Normalise with the range [lo, hi] (clamped to [0, 1]: ARTime has the whole file's range, a
 *   streaming detector only what it has seen, see ../artime.ts) and round to a level
 *   (round half to even, as Julia's `round` does).
 * - The median level is tracked with a histogram of levels and counts below and above the
 *   current median, moved by at most one occupied level per sample ("not strictly a running
 *   median but close enough", as ARTime says): O(1) per sample, no sorting.
 * - Values near the median are set to it, so the long ordinary stretches become flat and
 *   ART sees only the departures from them.
 */
export class LevelCoder {
  private lo = 0;
  private span = 0;
  private readonly bins: Int32Array;
  private n = 0;
  private median = 0;
  private below = 0;
  private above = 0;

  constructor(
    private readonly levels: number,
    private readonly chomp: number,
  ) {
    this.bins = new Int32Array(levels + 1);
  }

  setRange(lo: number, hi: number): void {
    this.lo = lo;
    this.span = hi - lo;
  }

  /** The coded value in [0, 1] of block value `v`. */
  code(v: number): number {
    let u = v - this.lo;
    if (this.span !== 0) u /= this.span;
    if (!(u > 0)) u = 0;
    else if (u > 1) u = 1;
    const level = roundHalfEven(u * this.levels);
    const ds = level / this.levels;
    this.n++;
    this.bins[level]!++;
    const pos = this.n >> 1;
    if (this.n === 1) this.median = level;
    if (this.median > level) this.below++;
    else if (this.median < level) this.above++;
    const bins = this.bins;
    if (pos < this.above) {
      this.below += bins[this.median]!;
      this.median++;
      while (bins[this.median] === 0) this.median++;
      this.above -= bins[this.median]!;
    } else if (pos < this.below) {
      this.above += bins[this.median]!;
      this.median--;
      while (bins[this.median] === 0) this.median--;
      this.below -= bins[this.median]!;
    }
    const med = this.median / this.levels;
    return Math.abs(ds - med) < this.chomp ? med : ds;
  }

  reset(): void {
    this.bins.fill(0);
    this.n = 0;
    this.median = 0;
    this.below = 0;
    this.above = 0;
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
