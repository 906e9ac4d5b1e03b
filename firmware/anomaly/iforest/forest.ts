/**
 * Isolation Forest (Liu, Ting & Zhou 2008) with scikit-learn's semantics, in plain
 * TypeScript over flat typed arrays.
 *
 * - Each tree is grown on ψ = min(maxSamples, n) rows drawn without replacement.
 * - A node picks a feature uniformly among those not constant in the node, and a split
 *   uniformly between that feature's min and max; rows with x ≤ threshold go left.
 * - Growth stops at one row, at all-constant rows, or at the height limit ceil(log2 ψ).
 * - A leaf's path length is its depth + c(n_leaf); the anomaly score is 2^(−E(h)/c(ψ)).
 * - scoreSamples = −score, decisionFunction = scoreSamples − offset, where offset is −0.5,
 *   or with `contamination` the contamination-quantile of the training scoreSamples
 *   (numpy's linear percentile), exactly like sklearn's `offset_`.
 *
 * Like scikit-learn (whose trees run on float32 X) features are float32: the data are rounded
 * with Math.fround on fit and on score, and each threshold is a float32 strictly below the
 * node's max. That makes the native walk take the very same branches as an ONNX
 * TreeEnsembleRegressor (float32 input and thresholds, BRANCH_LEQ) — see onnx-export.ts.
 *
 * After the first fit with a given shape, `fit` allocates nothing (buffers are reused), and
 * `score` never allocates: the streaming detectors refit and score in their hot path.
 */
import { averagePathLength, heightLimit } from './path-length.js';
import { SeededRandom } from './random.js';

export interface IsolationForestOptions {
  /** Number of trees (sklearn n_estimators). Default 100. */
  trees?: number;
  /** Rows per tree, capped at the number of training rows (sklearn max_samples='auto' = 256). */
  maxSamples?: number;
  /** PRNG seed: the same seed and data give the same forest. Default 0. */
  seed?: number;
  /** Expected share of outliers in (0, 0.5]; sets `offset` as sklearn does. Default: none ('auto', offset −0.5). */
  contamination?: number;
}

/** The serialised forest (`toJSON`/`fromJSON`). Arrays hold only the used nodes. */
export interface IsolationForestJSON {
  kind: 'iforest';
  version: 1;
  trees: number;
  maxSamples: number;
  seed: number;
  contamination: number | null;
  nCols: number;
  psi: number;
  offset: number;
  roots: number[];
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  leafValue: number[];
  nodeSamples: number[];
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The largest float32 strictly below `x` (x a float32, finite). */
function float32Below(x: number): number {
  f32[0] = x;
  if (x > 0) i32[0]! -= 1;
  else if (x < 0) i32[0]! += 1;
  else return -1.401298464324817e-45;
  return f32[0]!;
}

export class IsolationForest {
  readonly trees: number;
  readonly maxSamples: number;
  readonly seed: number;
  readonly contamination: number | null;

  /** Features per row, ψ and the decision offset, set by `fit`. */
  nCols = 0;
  psi = 0;
  offset = -0.5;

  /** Tree t owns nodes roots[t] .. roots[t+1]−1; node ids are absolute. */
  roots: Int32Array;
  /** Split feature, −1 at a leaf. */
  feature = new Int32Array(0);
  /** Split threshold (float32 values): x ≤ threshold goes left. */
  threshold = new Float32Array(0);
  left = new Int32Array(0);
  right = new Int32Array(0);
  /** At a leaf: depth + c(samples in leaf). */
  leafValue = new Float64Array(0);
  /** Training samples that reached the node. */
  nodeSamples = new Int32Array(0);

  private cPsi = 1;
  private readonly rng: SeededRandom;
  // fit scratch, reused across fits of the same shape
  private data = new Float32Array(0);
  private pool = new Int32Array(0);
  private rows = new Int32Array(0);
  private featurePerm = new Int32Array(0);
  private stack = new Int32Array(0);
  private trainScores = new Float64Array(0);
  private trainView = new Float64Array(0);

  constructor(options: IsolationForestOptions = {}) {
    this.trees = options.trees ?? 100;
    this.maxSamples = options.maxSamples ?? 256;
    this.seed = options.seed ?? 0;
    this.contamination = options.contamination ?? null;
    if (!Number.isInteger(this.trees) || this.trees < 1) throw new RangeError(`trees must be a positive integer, got ${this.trees}`);
    if (!Number.isInteger(this.maxSamples) || this.maxSamples < 1) throw new RangeError(`maxSamples must be a positive integer, got ${this.maxSamples}`);
    if (this.contamination !== null && !(this.contamination > 0 && this.contamination <= 0.5)) {
      throw new RangeError(`contamination must be in (0, 0.5], got ${this.contamination}`);
    }
    this.rng = new SeededRandom(this.seed);
    this.roots = new Int32Array(this.trees + 1);
  }

  get fitted(): boolean {
    return this.nCols > 0;
  }

  /** Nodes in use over all trees. */
  get nodeCount(): number {
    return this.roots[this.trees]!;
  }

  /** c(ψ), the normaliser of the mean path length. */
  get normaliser(): number {
    return this.cPsi;
  }

  /** Fits on `nRows` rows of `nCols` features, row-major in `X`. Reseeds, so a refit on the same data gives the same forest. */
  fit(X: ArrayLike<number>, nRows: number, nCols: number): this {
    if (!(nRows >= 1) || !(nCols >= 1)) throw new RangeError(`fit needs at least one row and one column, got ${nRows}×${nCols}`);
    if (X.length < nRows * nCols) throw new RangeError(`X holds ${X.length} values, ${nRows}×${nCols} needs ${nRows * nCols}`);
    const psi = Math.min(this.maxSamples, nRows);
    const hLimit = heightLimit(psi);
    const perTree = 2 * psi - 1;
    this.ensureCapacity(nRows, nCols, psi, perTree * this.trees, hLimit);
    this.rng.reseed(this.seed);
    this.nCols = nCols;
    this.psi = psi;
    this.cPsi = averagePathLength(psi);

    const data = this.data;
    for (let i = 0; i < nRows * nCols; i++) data[i] = X[i]!;
    const pool = this.pool;
    for (let i = 0; i < nRows; i++) pool[i] = i;

    let next = 0;
    for (let t = 0; t < this.trees; t++) {
      this.roots[t] = next;
      // Partial Fisher–Yates on a persistent permutation: each tree gets a uniform sample without replacement.
      for (let i = 0; i < psi; i++) {
        const j = i + this.rng.int(nRows - i);
        const tmp = pool[i]!;
        pool[i] = pool[j]!;
        pool[j] = tmp;
        this.rows[i] = pool[i]!;
      }
      next = this.growTree(next, psi, hLimit, nCols);
    }
    this.roots[this.trees] = next;

    this.offset = this.contamination === null ? -0.5 : this.trainingQuantile(X, nRows, nCols, this.contamination);
    return this;
  }

  /** Grows one tree on this.rows[0..psi) from node id `first`; returns the next free node id. */
  private growTree(first: number, psi: number, hLimit: number, nCols: number): number {
    const { data, rows, stack, featurePerm } = this;
    let next = first + 1;
    let sp = 0;
    // stack entries: node, start, end, depth
    stack[sp++] = first;
    stack[sp++] = 0;
    stack[sp++] = psi;
    stack[sp++] = 0;
    while (sp > 0) {
      const depth = stack[--sp]!;
      const end = stack[--sp]!;
      const start = stack[--sp]!;
      const node = stack[--sp]!;
      const n = end - start;
      this.nodeSamples[node] = n;
      let splitFeature = -1;
      let lo = 0;
      let hi = 0;
      if (n > 1 && depth < hLimit) {
        // draw features without replacement until one is not constant in this node
        for (let k = 0; k < nCols; k++) featurePerm[k] = k;
        for (let k = 0; k < nCols && splitFeature < 0; k++) {
          const j = k + this.rng.int(nCols - k);
          const f = featurePerm[j]!;
          featurePerm[j] = featurePerm[k]!;
          featurePerm[k] = f;
          lo = Infinity;
          hi = -Infinity;
          for (let r = start; r < end; r++) {
            const v = data[rows[r]! * nCols + f]!;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          if (hi > lo) splitFeature = f;
        }
      }
      if (splitFeature < 0) {
        this.feature[node] = -1;
        this.threshold[node] = 0;
        this.left[node] = -1;
        this.right[node] = -1;
        this.leafValue[node] = depth + averagePathLength(n);
        continue;
      }
      // uniform split in [lo, hi), as a float32 strictly below hi so both sides are non-empty
      let thr = Math.fround(lo + this.rng.next() * (hi - lo));
      if (thr >= hi) thr = float32Below(hi);
      // partition rows[start..end) into ≤ thr | > thr
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if (data[rows[i]! * nCols + splitFeature]! <= thr) i++;
        else {
          const tmp = rows[i]!;
          rows[i] = rows[j]!;
          rows[j] = tmp;
          j--;
        }
      }
      const l = next++;
      const r = next++;
      this.feature[node] = splitFeature;
      this.threshold[node] = thr;
      this.left[node] = l;
      this.right[node] = r;
      this.leafValue[node] = 0;
      stack[sp++] = r;
      stack[sp++] = i;
      stack[sp++] = end;
      stack[sp++] = depth + 1;
      stack[sp++] = l;
      stack[sp++] = start;
      stack[sp++] = i;
      stack[sp++] = depth + 1;
    }
    return next;
  }

  private ensureCapacity(nRows: number, nCols: number, psi: number, nodes: number, hLimit: number): void {
    if (this.data.length < nRows * nCols) this.data = new Float32Array(nRows * nCols);
    if (this.pool.length < nRows) this.pool = new Int32Array(nRows);
    if (this.rows.length < psi) this.rows = new Int32Array(psi);
    if (this.featurePerm.length < nCols) this.featurePerm = new Int32Array(nCols);
    const stackNeed = 4 * (hLimit + 2) * 2;
    if (this.stack.length < stackNeed) this.stack = new Int32Array(stackNeed);
    if (this.feature.length < nodes) {
      this.feature = new Int32Array(nodes);
      this.threshold = new Float32Array(nodes);
      this.left = new Int32Array(nodes);
      this.right = new Int32Array(nodes);
      this.leafValue = new Float64Array(nodes);
      this.nodeSamples = new Int32Array(nodes);
    }
  }

  /** numpy.percentile(score_samples(X), 100·q), linear interpolation — sklearn's offset_. */
  private trainingQuantile(X: ArrayLike<number>, nRows: number, nCols: number, q: number): number {
    if (this.trainScores.length < nRows) this.trainScores = new Float64Array(nRows);
    // the view is cached so a streaming refit on a fixed window allocates nothing
    if (this.trainView.length !== nRows || this.trainView.buffer !== this.trainScores.buffer) this.trainView = this.trainScores.subarray(0, nRows);
    const s = this.trainView;
    const view = X as ArrayLike<number>;
    for (let r = 0; r < nRows; r++) s[r] = -this.score(view, r * nCols);
    s.sort();
    const pos = q * (nRows - 1);
    const k = Math.floor(pos);
    const frac = pos - k;
    return k + 1 < nRows ? s[k]! + frac * (s[k + 1]! - s[k]!) : s[k]!;
  }

  private assertFitted(): void {
    if (this.nCols === 0) throw new Error('IsolationForest: fit (or fromJSON) before scoring');
  }

  /** Mean path length E(h) of one row starting at `offset` in `row`. Allocation-free. */
  meanPathLength(row: ArrayLike<number>, offset = 0): number {
    const { feature, threshold, left, right, leafValue, roots } = this;
    let sum = 0;
    for (let t = 0; t < this.trees; t++) {
      let n = roots[t]!;
      let f = feature[n]!;
      while (f >= 0) {
        n = Math.fround(row[offset + f]!) <= threshold[n]! ? left[n]! : right[n]!;
        f = feature[n]!;
      }
      sum += leafValue[n]!;
    }
    return sum / this.trees;
  }

  /** Anomaly score 2^(−E(h)/c(ψ)) in (0, 1]: near 1 is anomalous, below 0.5 normal. Allocation-free. */
  score(row: ArrayLike<number>, offset = 0): number {
    this.assertFitted();
    // one training row: c(1) = 0 and every depth is 0; sklearn then takes the ratio as 1 (score 0.5)
    if (this.cPsi === 0) return 0.5;
    return Math.pow(2, -this.meanPathLength(row, offset) / this.cPsi);
  }

  /** sklearn score_samples of one row: −score (lower is more abnormal). */
  scoreSample(row: ArrayLike<number>, offset = 0): number {
    return -this.score(row, offset);
  }

  /** sklearn decision_function of one row: scoreSamples − offset (negative = outlier). */
  decision(row: ArrayLike<number>, offset = 0): number {
    return -this.score(row, offset) - this.offset;
  }

  /** Anomaly scores of nRows rows (row-major), into `out` if given. */
  scoreBatch(X: ArrayLike<number>, nRows: number, out = new Float64Array(nRows)): Float64Array {
    this.assertFitted();
    for (let r = 0; r < nRows; r++) out[r] = this.score(X, r * this.nCols);
    return out;
  }

  /** sklearn score_samples: −score for each row. */
  scoreSamples(X: ArrayLike<number>, nRows: number, out = new Float64Array(nRows)): Float64Array {
    this.scoreBatch(X, nRows, out);
    for (let r = 0; r < nRows; r++) out[r] = -out[r]!;
    return out;
  }

  /** sklearn decision_function: score_samples − offset_ for each row. */
  decisionFunction(X: ArrayLike<number>, nRows: number, out = new Float64Array(nRows)): Float64Array {
    this.scoreSamples(X, nRows, out);
    for (let r = 0; r < nRows; r++) out[r] = out[r]! - this.offset;
    return out;
  }

  /** sklearn predict: −1 for outliers (decision < 0), 1 for inliers. */
  predict(row: ArrayLike<number>, offset = 0): -1 | 1 {
    return this.decision(row, offset) < 0 ? -1 : 1;
  }

  toJSON(): IsolationForestJSON {
    this.assertFitted();
    const used = this.nodeCount;
    return {
      kind: 'iforest',
      version: 1,
      trees: this.trees,
      maxSamples: this.maxSamples,
      seed: this.seed,
      contamination: this.contamination,
      nCols: this.nCols,
      psi: this.psi,
      offset: this.offset,
      roots: Array.from(this.roots),
      feature: Array.from(this.feature.subarray(0, used)),
      threshold: Array.from(this.threshold.subarray(0, used)),
      left: Array.from(this.left.subarray(0, used)),
      right: Array.from(this.right.subarray(0, used)),
      leafValue: Array.from(this.leafValue.subarray(0, used)),
      nodeSamples: Array.from(this.nodeSamples.subarray(0, used)),
    };
  }

  static fromJSON(json: IsolationForestJSON): IsolationForest {
    if (json.kind !== 'iforest' || json.version !== 1) throw new Error(`not an iforest v1 JSON (kind ${json.kind}, version ${json.version})`);
    const forest = new IsolationForest({
      trees: json.trees,
      maxSamples: json.maxSamples,
      seed: json.seed,
      ...(json.contamination === null ? {} : { contamination: json.contamination }),
    });
    if (json.roots.length !== json.trees + 1) throw new Error(`iforest JSON: ${json.roots.length} roots for ${json.trees} trees`);
    forest.roots.set(json.roots);
    forest.feature = Int32Array.from(json.feature);
    forest.threshold = Float32Array.from(json.threshold);
    forest.left = Int32Array.from(json.left);
    forest.right = Int32Array.from(json.right);
    forest.leafValue = Float64Array.from(json.leafValue);
    forest.nodeSamples = Int32Array.from(json.nodeSamples);
    forest.nCols = json.nCols;
    forest.psi = json.psi;
    forest.offset = json.offset;
    forest.cPsi = averagePathLength(json.psi);
    return forest;
  }
}
