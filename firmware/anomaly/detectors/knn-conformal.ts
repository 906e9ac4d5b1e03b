import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { RollingWindow } from '../rolling-window.js';

/**
 * Conformal k-nearest-neighbour detector (after KNN-CAD, Ishimtsev et al. 2017). The newest
 * `dim` values, scaled by the deviation of the recent history, form a point; its
 * non-conformity is the summed squared distance to its `k` nearest neighbours among the last
 * `train` points, and its score is the conformal p-value: the share of the last `calib`
 * non-conformities it exceeds. A shape never seen in the training set scores near 1 whatever
 * the stream's level and noise, which makes scores comparable across streams.
 */
export class KnnConformalDetector implements Detector {
  readonly name = 'knn-conformal';
  /** Non-conformity of the last sample (0 while learning). */
  lastNonConformity = 0;
  private readonly dim: number;
  private readonly k: number;
  private readonly train: number;
  private readonly calib: number;
  private readonly lags: Float64Array;
  private readonly point: Float64Array;
  /**
   * Ring of training points, row-major, in single precision: z-scored values need no more, and
   * half the bytes (30 KiB a stream with the defaults) is half the memory the distance scan
   * streams through per sample (same NAB scores as double precision).
   */
  private readonly points: Float32Array;
  private readonly calibScores: Float64Array;
  private readonly nearest: Float64Array;
  private readonly scale: RollingWindow;
  private readonly holdoff: AlertHoldoff;
  private n = 0;
  private pointHead = 0;
  private pointCount = 0;
  private calibHead = 0;
  private calibCount = 0;

  constructor(p: DetectorParams) {
    this.dim = p.dim!;
    this.k = p.k!;
    this.train = p.train!;
    this.calib = p.calib!;
    this.lags = new Float64Array(this.dim);
    this.point = new Float64Array(this.dim);
    this.points = new Float32Array(this.train * this.dim);
    this.calibScores = new Float64Array(this.calib);
    this.nearest = new Float64Array(this.k);
    this.scale = new RollingWindow(p.scaleWindow!);
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!);
  }

  update(_tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    // shift the lag vector (dim is small: a copy is cheaper than ring arithmetic in the distance loop)
    this.lags.copyWithin(0, 1);
    this.lags[this.dim - 1] = x;
    this.scale.push(x);
    this.n++;
    if (this.n < this.dim) return 0;
    const sd = Math.max(this.scale.std(), 1e-6 * Math.abs(this.scale.mean()), 1e-12);
    const mu = this.scale.mean();
    for (let d = 0; d < this.dim; d++) this.point[d] = (this.lags[d]! - mu) / sd;
    let score = 0;
    this.lastNonConformity = 0;
    if (this.pointCount >= this.k) {
      const ncm = this.nonConformity();
      this.lastNonConformity = ncm;
      if (this.calibCount >= this.calib / 4) {
        let below = 0;
        let max = 0;
        for (let i = 0; i < this.calibCount; i++) {
          const c = this.calibScores[i]!;
          if (c < ncm) below++;
          if (c > max) max = c;
        }
        // Beyond every calibration score the rank saturates; how far beyond still orders them.
        const beyond = below === this.calibCount && ncm > 0 ? 1 - max / ncm : 0;
        score = (below + beyond) / (this.calibCount + 1);
      }
      this.calibScores[this.calibHead] = ncm;
      this.calibHead = (this.calibHead + 1) % this.calib;
      if (this.calibCount < this.calib) this.calibCount++;
    }
    this.points.set(this.point, this.pointHead * this.dim);
    this.pointHead = (this.pointHead + 1) % this.train;
    if (this.pointCount < this.train) this.pointCount++;
    return this.holdoff.apply(unitScore(score));
  }

  /**
   * Sum of the k smallest squared distances from this.point to the stored points. The hot loop
   * of the whole detector bank (a quarter of the control thread's CPU at 100 Hz before this
   * shape): the k kept distances form a max-heap (an insertion costs log k, not a k-long scan
   * for the new worst), and a candidate is abandoned as soon as its partial sum reaches the
   * worst kept distance, checked every 4 dimensions so the check does not dominate. The result
   * is the same sum as a full sort would give: only the order of the kept distances differs.
   */
  private nonConformity(): number {
    const { k, dim, points, point, nearest } = this;
    const dim4 = dim - (dim % 4);
    let filled = 0;
    // Newest first: a stream's nearest shapes are mostly its recent ones, so the kept worst
    // distance drops early and most older candidates are abandoned after a few dimensions.
    const count = this.pointCount;
    let slot = this.pointHead;
    for (let n = 0; n < count; n++) {
      slot = slot === 0 ? this.train - 1 : slot - 1;
      const base = slot * dim;
      const limit = filled < k ? Infinity : nearest[0]!;
      let dist = 0;
      let d = 0;
      while (d < dim4) {
        const a = points[base + d]! - point[d]!;
        const b = points[base + d + 1]! - point[d + 1]!;
        const c = points[base + d + 2]! - point[d + 2]!;
        const e = points[base + d + 3]! - point[d + 3]!;
        dist += a * a;
        dist += b * b;
        dist += c * c;
        dist += e * e;
        d += 4;
        if (dist >= limit) break;
      }
      if (dist >= limit) continue;
      for (; d < dim; d++) {
        const a = points[base + d]! - point[d]!;
        dist += a * a;
      }
      if (filled < k) heapPush(nearest, filled++, dist);
      else if (dist < limit) heapReplaceTop(nearest, k, dist);
    }
    let sum = 0;
    for (let i = 0; i < filled; i++) sum += nearest[i]!;
    return sum;
  }

  reset(): void {
    this.lags.fill(0);
    this.points.fill(0);
    this.calibScores.fill(0);
    this.scale.clear();
    this.holdoff.reset();
    this.lastNonConformity = 0;
    this.n = this.pointHead = this.pointCount = this.calibHead = this.calibCount = 0;
  }
}

/** Adds `v` to the max-heap held in h[0..n) (the largest at h[0]). */
function heapPush(h: Float64Array, n: number, v: number): void {
  let i = n;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]! >= v) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = v;
}

/** Replaces the largest value of the max-heap h[0..n) with the smaller `v`. */
function heapReplaceTop(h: Float64Array, n: number, v: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && h[r]! > h[l]! ? r : l;
    if (h[c]! <= v) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = v;
}

export const knnConformalSpec: DetectorSpec = {
  name: 'knn-conformal',
  summary: 'conformal k-NN over lag vectors (KNN-CAD style p-value)',
  defaults: { dim: 19, k: 27, train: 400, calib: 400, scaleWindow: 1000, alertLevel: 0.9965, holdoff: 150, damp: 0.5 },
  create: (p) => new KnnConformalDetector(p),
};
