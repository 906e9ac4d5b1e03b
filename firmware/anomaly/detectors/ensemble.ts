import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { RecentMaxRatio } from '../recent-max-ratio.js';
import { GaussianTailDetector, gaussianTailSpec } from './gaussian-tail.js';
import { KnnConformalDetector, knnConformalSpec } from './knn-conformal.js';

/**
 * Ensemble of the Gaussian tail (level and spike anomalies, in value space) and the conformal
 * k-NN (shape anomalies, in lag-vector space). Each member runs without its own holdoff;
 * their scores are combined (`mode` 0 = max, 1 = mean, 2 = weighted, `weight` on the k-NN)
 * and one shared holdoff turns a burst of high scores into one alert.
 */
export class EnsembleDetector implements Detector {
  readonly name = 'ensemble';
  private readonly gaussian: GaussianTailDetector;
  private readonly knn: KnnConformalDetector;
  private readonly holdoff: AlertHoldoff;
  private readonly mode: number;
  private readonly weight: number;
  private readonly recordG: RecentMaxRatio | null;
  private readonly recordK: RecentMaxRatio | null;
  private readonly floorG: number;
  private readonly floorK: number;
  /** A weighted mix with weight 0 ignores the k-NN: skip its cost. */
  private readonly useKnn: boolean;

  constructor(p: DetectorParams) {
    const off = { alertLevel: 2, holdoff: 0, damp: 1 };
    this.gaussian = new GaussianTailDetector({
      ...gaussianTailSpec.defaults,
      long1: p.long1!,
      long2: p.long2!,
      long3: p.long3!,
      decades: p.decades!,
      diffWindow: p.diffWindow!,
      diffNovel: p.diffNovel!,
      seasonWindow: p.seasonWindow!,
      ...off,
    });
    this.knn = new KnnConformalDetector({ ...knnConformalSpec.defaults, dim: p.dim!, k: p.k!, train: p.train!, calib: p.calib!, ...off });
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
    this.mode = p.mode!;
    this.weight = p.weight!;
    this.useKnn = !(this.mode === 2 && this.weight === 0);
    this.recordG = p.recordWindow! > 0 ? new RecentMaxRatio(p.recordWindow!) : null;
    this.recordK = p.recordWindow! > 0 ? new RecentMaxRatio(p.recordWindow!) : null;
    this.floorG = p.floorG!;
    this.floorK = p.floorK!;
  }

  update(tMs: number, x: number): number {
    let g = this.gaussian.update(tMs, x);
    let k = this.useKnn ? this.knn.update(tMs, x) : 0;
    if (this.recordG && this.recordK) {
      // the floor keeps a near-silent history from making any wiggle look record-breaking
      g = this.recordG.push(Math.max(this.gaussian.lastLogP, this.floorG) - this.floorG);
      k = this.recordK.push(Math.max(this.knn.lastNonConformity, this.floorK) - this.floorK);
    }
    let s: number;
    if (this.mode === 0) s = g > k ? g : k;
    else if (this.mode === 1) s = 0.5 * (g + k);
    else s = (1 - this.weight) * g + this.weight * k;
    return this.holdoff.apply(unitScore(s));
  }

  reset(): void {
    this.gaussian.reset();
    this.knn.reset();
    this.holdoff.reset();
    this.recordG?.reset();
    this.recordK?.reset();
  }
}

export const ensembleSpec: DetectorSpec = {
  name: 'ensemble',
  summary: 'Gaussian tail + conformal k-NN, combined, with one alert holdoff',
  defaults: {
    long1: 6400,
    long2: 6400,
    long3: 6400,
    decades: 8,
    diffWindow: 6400,
    diffNovel: 1,
    seasonWindow: 2000,
    dim: 19,
    k: 27,
    train: 400,
    calib: 400,
    mode: 2,
    weight: 0,
    recordWindow: 0,
    floorG: 0,
    floorK: 0,
    alertLevel: 0.45,
    holdoff: 100,
    damp: 0,
    fatigue: 0.1,
    fatigueTau: 2000,
  },
  create: (p) => new EnsembleDetector(p),
};
