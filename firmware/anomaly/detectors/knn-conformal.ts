import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { RollingWindow } from '../rolling-window.js';
import { SquaredDistances } from '../knn-kernel/squared-distances.js';
import { SortedWindow } from '../sorted-window.js';
import { kSmallestSum } from '../knn-kernel/k-smallest-sum.js';
import { ALERT_SHAPING_RANGES, FRACTION, samples, type ParamRange } from '../param-ranges.js';

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
   * Ring of training points in single precision (z-scored values need no more; 31 KiB a stream
   * with the defaults) and the distance kernel over them: WebAssembly SIMD where available.
   */
  private readonly points: SquaredDistances;
  /** The last `calib` non-conformities, sorted as well, so a rank costs log calib. */
  private readonly calibScores: SortedWindow;
  private readonly nearest: Float64Array;
  /** Distances under `kthBound`, gathered before selecting the k smallest. */
  private readonly candidates: Float32Array;
  /** The last k-th smallest distance, loosened by KTH_SLACK (Infinity: gather nothing, select from all). */
  private kthBound = Infinity;
  private readonly scale: RollingWindow;
  private readonly holdoff: AlertHoldoff;
  private n = 0;
  private pointHead = 0;
  private pointCount = 0;

  /** `simd: false` runs the plain JavaScript distance loop (tests compare the two). */
  constructor(p: DetectorParams, options: { simd?: boolean } = {}) {
    this.dim = p.dim!;
    this.k = p.k!;
    this.train = p.train!;
    this.calib = p.calib!;
    this.lags = new Float64Array(this.dim);
    this.point = new Float64Array(this.dim);
    this.points = new SquaredDistances(this.train, this.dim, options);
    this.calibScores = new SortedWindow(this.calib);
    this.nearest = new Float64Array(this.k);
    this.candidates = new Float32Array(this.train);
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
      const calib = this.calibScores;
      if (calib.count >= this.calib / 4) {
        const below = calib.countBelow(ncm);
        // Beyond every calibration score the rank saturates; how far beyond still orders them.
        const beyond = below === calib.count && ncm > 0 ? 1 - calib.max() / ncm : 0;
        score = (below + beyond) / (calib.count + 1);
      }
      calib.push(ncm);
    }
    this.points.store(this.pointHead, this.point);
    this.pointHead = (this.pointHead + 1) % this.train;
    if (this.pointCount < this.train) this.pointCount++;
    return this.holdoff.apply(unitScore(score));
  }

  /**
   * Sum of the k smallest squared distances from this.point to the stored points: all distances
   * from the kernel in one SIMD pass (no early exit: it would cost more than it saves), then the
   * k smallest (k-smallest-sum.ts), gathered under a loosened copy of the last k-th distance.
   */
  private nonConformity(): number {
    const { k, nearest, points } = this;
    const count = this.pointCount;
    points.setQuery(this.point);
    points.run(count);
    const sum = kSmallestSum(points.floats, points.outAt, count, k, nearest, this.candidates, this.kthBound, this.pointHead, this.train);
    this.kthBound = count >= k ? nearest[0]! * KTH_SLACK : Infinity;
    return sum;
  }

  reset(): void {
    this.lags.fill(0);
    this.points.clear();
    this.calibScores.clear();
    this.scale.clear();
    this.holdoff.reset();
    this.lastNonConformity = 0;
    this.kthBound = Infinity;
    this.n = this.pointHead = this.pointCount = 0;
  }
}

/**
 * How far above the last k-th distance the gather bound sits: loose enough that k distances
 * are nearly always under it (else the full selection runs), tight enough that few more are.
 */
const KTH_SLACK = 1.3;

/** Lag-vector length, neighbours, training and calibration sets (the ensemble's k-NN too). */
export const KNN_RANGES: Readonly<Record<string, ParamRange>> = {
  dim: { min: 1, max: 256, integer: true },
  k: { min: 1, max: 4096, integer: true },
  train: samples(2),
  calib: samples(2),
};

/** The k nearest of `train` points: k larger than the set has no k-th neighbour. */
export function kWithinTrain(p: DetectorParams): string | null {
  return p.k! > p.train! ? `k (${p.k}) must not exceed train (${p.train})` : null;
}

export const knnConformalSpec: DetectorSpec = {
  name: 'knn-conformal',
  summary: 'conformal k-NN over lag vectors (KNN-CAD style p-value)',
  defaults: { dim: 19, k: 27, train: 400, calib: 400, scaleWindow: 1000, alertLevel: 0.9965, holdoff: 150, damp: 0.5 },
  ranges: { ...KNN_RANGES, scaleWindow: samples(2), alertLevel: ALERT_SHAPING_RANGES.alertLevel!, holdoff: ALERT_SHAPING_RANGES.holdoff!, damp: FRACTION },
  check: kWithinTrain,
  create: (p) => new KnnConformalDetector(p),
};
