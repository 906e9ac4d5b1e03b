import type { FuzzyArt } from './fuzzy-art.js';

/**
 * ARTime's starting vigilance, computed once from the learning period's feature vectors:
 *
 * - order the vectors from the least to the most typical, typicality being the sum of a
 *   vector's cosine similarities to all the others (a zero vector is 1 − the other's norm);
 * - train a scratch fuzzy ART with both bounds at `initialRho` (0.8 in ARTime) on them in that
 *   order, so the odd ones found categories first and the typical ones then resonate;
 * - the result is the mean match over the second half of that pass (from position
 *   `half`, 1-based, to the end): how well this stream's ordinary windows match each other.
 *
 * O(n² dim) once per stream, at the end of the learning period (n ≈ 100 in ARTime). So that no
 * single sample pays for all of it (≈ 1 ms warm, ≈ 10 ms cold on this machine for n = 125),
 * the work is cut into units (one similarity pair, one insertion of the sort, one
 * presentation) and `advance(budget)` does units until their estimated cost (in values
 * touched) reaches `budget`; the result is the same number whatever the budget.
 */
export class VigilanceEstimate {
  /** The estimate, valid once `done`. */
  result = 0;
  private stage = 3;
  private i = 0;
  private j = 0;
  private total = 0;
  private count = 0;
  private rows: Float64Array = new Float64Array(0);
  private first = 0;
  private n = 0;
  private half = 0;

  /** `sums` (n) and `order` (n) are scratch of at least the largest n to be estimated. */
  constructor(
    private readonly dim: number,
    private readonly art: FuzzyArt,
    private readonly initialRho: number,
    private readonly sums: Float64Array,
    private readonly order: Int32Array,
  ) {}

  get done(): boolean {
    return this.stage === 3;
  }

  /** Starts an estimate on the n vectors of `rows` (row-major, `dim` values each) from row `first`. */
  start(rows: Float64Array, first: number, n: number, half: number): void {
    this.rows = rows;
    this.first = first;
    this.n = n;
    this.half = half;
    for (let k = 0; k < n; k++) this.sums[k] = 1; // the similarity of a vector with itself
    this.stage = n > 0 ? 0 : 3;
    this.i = 1;
    this.j = 0;
    this.total = 0;
    this.count = 0;
    this.result = this.initialRho;
  }

  /** Does units of work until their cost reaches `budget` (≤ 0: to the end); returns the cost spent. */
  advance(budget: number): number {
    const dim = this.dim;
    const n = this.n;
    const sums = this.sums;
    const order = this.order;
    let spent = 0;
    while (this.stage !== 3 && (budget <= 0 || spent < budget)) {
      if (this.stage === 0) {
        // similarity pairs (i, j < i), row by row
        if (this.i >= n) {
          this.stage = 1;
          this.i = 0;
          continue;
        }
        const s = similarity(this.rows, (this.first + this.i) * dim, (this.first + this.j) * dim, dim);
        sums[this.i] = sums[this.i]! + s;
        sums[this.j] = sums[this.j]! + s;
        spent += 3 * dim;
        if (++this.j >= this.i) {
          this.i++;
          this.j = 0;
        }
      } else if (this.stage === 1) {
        // one insertion of a stable insertion sort of the indices by ascending sum
        const i = this.i;
        const v = sums[i]!;
        let k = i - 1;
        while (k >= 0 && sums[order[k]!]! > v) {
          order[k + 1] = order[k]!;
          k--;
        }
        order[k + 1] = i;
        spent += i - k;
        if (++this.i >= n) {
          this.stage = 2;
          this.i = 0;
          this.art.clear();
          this.art.rhoLb = this.initialRho;
          this.art.rhoUb = this.initialRho;
        }
      } else {
        // one presentation to the scratch ART, in order of typicality
        spent += (this.art.categories + 1) * 2 * dim;
        this.art.present(this.rows, true, (this.first + order[this.i]!) * dim);
        if (this.i + 1 >= this.half) {
          this.total += this.art.lastMatch;
          this.count++;
        }
        if (++this.i >= n) {
          this.result = this.count > 0 ? this.total / this.count : this.initialRho;
          this.stage = 3;
        }
      }
    }
    return spent;
  }
}

/** Cosine similarity; against a zero vector, 1 − the other's norm. */
function similarity(x: Float64Array, a: number, b: number, dim: number): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let k = 0; k < dim; k++) {
    aa += x[a + k]! * x[a + k]!;
    bb += x[b + k]! * x[b + k]!;
    ab += x[a + k]! * x[b + k]!;
  }
  const na = Math.sqrt(aa);
  const nb = Math.sqrt(bb);
  if (na === 0) return 1 - nb;
  if (nb === 0) return 1 - na;
  return ab / (na * nb);
}
