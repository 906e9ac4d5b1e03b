/**
 * A fuzzy ART network with dual vigilance (after Carpenter & Grossberg's fuzzy ART and the
 * dual-vigilance fuzzy ART "DVFA" of da Silva, Elnabarawy & Wunsch 2019), in the variant
 * ARTime uses: written for this project from the algorithm's description, not translated
 * from ARTime's AGPL-3.0 code (see ../artime.ts for the licence note).
 *
 * An input x in [0, 1]^d is complement-coded to (x, 1 − x) (2d values, constant L1 norm d).
 * Against category j with weights w_j (2d values):
 *
 * - feature match  f_j = |min(x, w_j)|₁ / |w_j|₁
 * - energy match   e_j = (min(x_last, w_j,last) + min(1 − x_last, w_j,2d)) / (w_j,last + w_j,2d):
 *   the same ratio restricted to the last input value and its complement, i.e. how well the
 *   newest sample's level fits the category (ARTime puts that sample last in the vector);
 * - match          M_j = f_j³ · e_j²
 *
 * Presenting x with learning:
 * - every category with M_j ≥ ρ_ub resonates and learns by fast commit (w_j ← min(x, w_j));
 * - otherwise, if the best M_j ≥ ρ_lb, x is committed as a new category of the best one's
 *   cluster (dual vigilance: a new prototype of a known cluster, not a novelty);
 * - otherwise x is committed as a new category of a new cluster: the result is −1, novelty.
 *
 * The first presentation only creates an all-ones category (the uncommitted node of fuzzy ART)
 * and matches nothing (match 0; the result is 0, not a novelty). `lastMatch`/`lastEnergy` give the best M_j and its e_j.
 *
 * Categories live in one Float64Array of `capacity` × 2d values: presenting allocates nothing.
 * When the network is full, a novelty is still reported, and either no longer stored (ARTime's
 * behaviour, `evict` false) or stored in place of the least recently used category (`evict`
 * true: a category is used when it is created or resonates). Eviction keeps a long-running
 * stream's memory and per-sample search fixed at `capacity` categories while the network keeps
 * learning what the stream does now; the uncommitted node (category 0) is never evicted.
 */
export class FuzzyArt {
  /** Best match of the last presentation (0 before any category exists). */
  lastMatch = 0;
  /** Energy match of the best-matching category of the last presentation. */
  lastEnergy = 0;
  /** ρ_lb and ρ_ub: the vigilance bounds, set by the caller. */
  rhoLb = 0;
  rhoUb = 0;
  private count = 0;
  private readonly width: number;
  private readonly w: Float64Array;
  /** |w_j|₁, kept with the weights so a match costs one pass over them. */
  private readonly norm: Float64Array;
  /** |w_j|₁ of the complement half alone, for the early bound in `match`. */
  private readonly normHi: Float64Array;
  /** Complement-coded input, reused. */
  private readonly xc: Float64Array;
  /** M_j of the current presentation: learning uses the matches from before any category learned. */
  private readonly matches: Float64Array;
  /** Presentation number at which each category was last created or resonated (for eviction). */
  private readonly used: Float64Array;
  private presented = 0;
  /** The best category of the last presentation, scanned first. */
  private lastBest = 0;

  constructor(
    private readonly dim: number,
    readonly capacity: number,
    private readonly evict = false,
  ) {
    this.width = 2 * dim;
    this.w = new Float64Array(capacity * this.width);
    this.norm = new Float64Array(capacity);
    this.normHi = new Float64Array(capacity);
    this.xc = new Float64Array(this.width);
    this.matches = new Float64Array(capacity);
    this.used = new Float64Array(capacity);
  }

  get categories(): number {
    return this.count;
  }

  /**
   * Presents `x` (the `dim` values from `offset` are read). With `learn` false only the matches are
   * computed. Returns −1 for a novelty (no category reached ρ_lb, or learning is off) and the
   * index of the best category otherwise.
   */
  present(x: ArrayLike<number>, learn: boolean, offset = 0): number {
    const d = this.dim;
    const width = this.width;
    const xc = this.xc;
    this.presented++;
    for (let k = 0; k < d; k++) {
      xc[k] = x[offset + k]!;
      xc[d + k] = 1 - x[offset + k]!;
    }
    if (this.count === 0) {
      // the uncommitted node: all ones, so everything matches it weakly and nothing learns into it soon
      this.w.fill(1, 0, width);
      this.norm[0] = width;
      this.normHi[0] = d;
      this.count = 1;
      this.lastMatch = 0;
      this.lastEnergy = 0;
      return 0;
    }
    const ms = this.matches;
    let best = -1;
    let bestM = 0;
    let bestE = 0;
    // Pass 1: the best match (lowest index on ties) and whether anything resonates.
    // M = f³e² ≤ e² (f ≤ 1), and e costs 4 values against f's 2d: a category whose e² can
    // neither beat the best so far nor reach ρ_ub (when learning) is skipped, exactly (its M
    // is recorded as 0, below ρ_ub, and it could not have been the strict best).
    const bar = learn ? this.rhoUb : Infinity;
    let cSum = 0;
    for (let k = d; k < width; k++) cSum += xc[k]!;
    // The last best category first (a stream's consecutive windows mostly fit the same one):
    // a high best match early lets the bounds skip more of the rest. Ties still go to the
    // lowest index, so the result is the same as scanning in index order.
    const first = this.lastBest < this.count ? this.lastBest : 0;
    {
      const off = first * width;
      const e = this.energyOf(off);
      const m = this.match(off, first, e, 0, cSum);
      ms[first] = m;
      if (m > 0) {
        bestM = m;
        best = first;
        bestE = e;
      }
    }
    for (let j = 0, off = 0; j < this.count; j++, off += width) {
      if (j === first) continue;
      const e = this.energyOf(off);
      const e2 = e * e;
      if ((e2 < bestM || (e2 === bestM && j > best)) && e2 < bar) {
        ms[j] = 0;
        continue;
      }
      // a match below both the best so far and ρ_ub changes nothing: let the bound skip it
      const m = this.match(off, j, e, bestM < bar ? bestM : bar, cSum);
      ms[j] = m;
      if (m > bestM || (m === bestM && m > 0 && j < best)) {
        bestM = m;
        best = j;
        bestE = e;
      }
    }
    if (best >= 0) this.lastBest = best;
    this.lastMatch = bestM;
    this.lastEnergy = bestE;
    if (!learn) return -1;
    if (best >= 0 && bestM >= this.rhoUb) {
      // every resonating category learns (fast commit), not only the best
      for (let j = 0, off = 0; j < this.count; j++, off += width) {
        if (ms[j]! < this.rhoUb) continue;
        this.used[j] = this.presented;
        let n = 0;
        let hi = 0;
        for (let k = 0; k < width; k++) {
          const v = xc[k]! < this.w[off + k]! ? xc[k]! : this.w[off + k]!;
          this.w[off + k] = v;
          n += v;
          if (k >= d) hi += v;
        }
        this.norm[j] = n;
        this.normHi[j] = hi;
      }
      return best;
    }
    this.commit();
    return best >= 0 && bestM >= this.rhoLb ? best : -1;
  }

  /** Forgets every category (the vigilance bounds stay). */
  clear(): void {
    this.count = 0;
    this.presented = 0;
    this.lastBest = 0;
    this.lastMatch = 0;
    this.lastEnergy = 0;
  }

  /**
   * M_j, or 0 when it provably cannot reach `need`: after the input half, the complement half
   * can add at most min(Σ(1 − x), |w_j complement half|₁) to the numerator.
   */
  private match(off: number, j: number, e: number, need: number, cSum: number): number {
    const xc = this.xc;
    const w = this.w;
    const d = this.dim;
    let num = 0;
    for (let k = 0; k < d; k++) {
      const a = xc[k]!;
      const b = w[off + k]!;
      num += a < b ? a : b;
    }
    const nw = this.norm[j]! === 0 ? 0.001 : this.norm[j]!;
    const hi = this.normHi[j]!;
    const fMax = (num + (cSum < hi ? cSum : hi)) / nw;
    // the slack keeps rounding (the bound sums in another order) from ever skipping a tie
    if (fMax * fMax * fMax * e * e < need * (1 - 1e-12)) return 0;
    for (let k = d; k < 2 * d; k++) {
      const a = xc[k]!;
      const b = w[off + k]!;
      num += a < b ? a : b;
    }
    const f = num / nw;
    return f * f * f * e * e;
  }

  private energyOf(off: number): number {
    const d = this.dim;
    const a = this.xc[d - 1]!;
    const ac = this.xc[2 * d - 1]!;
    const wa = this.w[off + d - 1]!;
    const wc = this.w[off + 2 * d - 1]!;
    const den = wa + wc;
    // a category that has learned both extremes of the last value has no level left to match
    if (den === 0) return 0;
    return ((a < wa ? a : wa) + (ac < wc ? ac : wc)) / den;
  }

  /** Commits the current input as a new category, if there is room. */
  private commit(): void {
    let slot = this.count;
    if (slot >= this.capacity) {
      if (!this.evict || this.capacity < 2) return;
      // least recently used, lowest index on ties; category 0 (the uncommitted node) stays
      slot = 1;
      for (let j = 2; j < this.capacity; j++) if (this.used[j]! < this.used[slot]!) slot = j;
    } else {
      this.count++;
    }
    this.used[slot] = this.presented;
    const off = slot * this.width;
    let n = 0;
    let hi = 0;
    for (let k = 0; k < this.width; k++) {
      this.w[off + k] = this.xc[k]!;
      n += this.xc[k]!;
      if (k >= this.dim) hi += this.xc[k]!;
    }
    this.norm[slot] = n;
    this.normHi[slot] = hi;
  }
}
