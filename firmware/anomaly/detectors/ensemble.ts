import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
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

  constructor(p: DetectorParams) {
    const off = { alertLevel: 2, holdoff: 0, damp: 1 };
    this.gaussian = new GaussianTailDetector({
      ...gaussianTailSpec.defaults,
      long1: p.long1!,
      long2: p.long2!,
      long3: p.long3!,
      decades: p.decades!,
      ...off,
    });
    this.knn = new KnnConformalDetector({ ...knnConformalSpec.defaults, dim: p.dim!, k: p.k!, train: p.train!, calib: p.calib!, ...off });
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!);
    this.mode = p.mode!;
    this.weight = p.weight!;
  }

  update(tMs: number, x: number): number {
    const g = this.gaussian.update(tMs, x);
    const k = this.knn.update(tMs, x);
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
    dim: 19,
    k: 27,
    train: 750,
    calib: 750,
    mode: 2,
    weight: 0.3,
    alertLevel: 0.5,
    holdoff: 100,
    damp: 0,
  },
  create: (p) => new EnsembleDetector(p),
};
