import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { RecentMaxRatio } from '../recent-max-ratio.js';
import { GAUSSIAN_CHANNEL_RANGES, GaussianTailDetector, gaussianTailSpec } from './gaussian-tail.js';
import { IForestStreamDetector, iforestSpec } from './iforest-stream.js';
import { KNN_RANGES, KnnConformalDetector, knnConformalSpec, kWithinTrain } from './knn-conformal.js';
import { ALERT_SHAPING_RANGES, FRACTION, MAX_WINDOW, optionalSamples, samples } from '../param-ranges.js';

/**
 * The default detector: an ensemble tuned as ONE parameter set on the whole NAB corpus.
 *
 * - Gaussian tail channels (gaussian-tail.ts), scored as −log10 of the two-sided tail
 *   probability and mapped to l / (l + `decades`):
 *   the value against the last `long*` values; the step x − x₋₁ against the last
 *   `diffWindow` steps; and the residual against the same time yesterday or last week
 *   (`seasonWeek`: the smaller of the two) against the last `seasonWindow` residuals. The step and season channels count only when the step or
 *   residual is larger than every one of their window (`diffNovel`), so a square wave's
 *   regular edges do not alert while a new kind of jump does.
 * - A smoothed value channel: the mean of the last `smoothShort` values against the last
 *   `smoothLong` values, its deviation taken as sd · smoothShort^(−smoothExp/2) (between the
 *   sample sd, exponent 0, which a mean never beats, and the independent-samples standard
 *   error, exponent 1, which noisy autocorrelated streams beat all the time). It catches a
 *   sustained drift or level change made of individually ordinary values (on NAB: the two
 *   temperature files before their failures). Max with the tail channels. `seasonShort`
 *   does the same for the same-time-yesterday residuals (mean of the last 48), with the
 *   same exponent.
 * - The conformal k-NN (knn-conformal.ts) on 19-value lag vectors catches shapes the
 *   Gaussian channels miss; its p-value enters with `weight` (mode 2), or by max (0) / mean (1).
 * - One AlertHoldoff shapes the result: after a score ≥ `alertLevel` the next `holdoff`
 *   samples are silenced, and each alert adds `fatigue` (decaying over `fatigueTau` samples)
 *   to the bar, so bursty streams pay for their bursts and quiet streams keep their first alert.
 * - `iforestWeight` > 0 mixes in the feature Isolation Forest (iforest-stream.ts); measured
 *   worse on NAB (0.1 → 59.8, 0.2 → 59.2, against 62.9 without), so off by default.
 * - `recordWindow` > 0 rescales both members against their own recent maximum instead
 *   (recent-max-ratio.ts); measured worse on NAB, kept for comparison.
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
  /** Optional third member: the feature Isolation Forest, mixed in with `iforestWeight`. */
  private readonly iforest: IForestStreamDetector | null;
  private readonly iforestWeight: number;
  /** Smoothed value channel: the mean of the last `smoothShort` values against the last `smoothLong` values. */
  private readonly smooth: GaussianTailDetector | null;

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
      seasonWeek: p.seasonWeek!,
      seasonShort: p.seasonShort!,
      shortExp: p.smoothExp!,
      ...off,
    });
    this.knn = new KnnConformalDetector({ ...knnConformalSpec.defaults, dim: p.dim!, k: p.k!, train: p.train!, calib: p.calib!, scaleWindow: p.knnScale!, ...off });
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
    this.mode = p.mode!;
    this.weight = p.weight!;
    this.useKnn = !(this.mode === 2 && this.weight === 0);
    this.iforestWeight = p.iforestWeight!;
    this.iforest = this.iforestWeight > 0 ? new IForestStreamDetector({ ...iforestSpec.defaults, ...off }) : null;
    this.recordG = p.recordWindow! > 0 ? new RecentMaxRatio(p.recordWindow!) : null;
    this.recordK = p.recordWindow! > 0 ? new RecentMaxRatio(p.recordWindow!) : null;
    this.floorG = p.floorG!;
    this.smooth =
      p.smoothShort! > 0
        ? new GaussianTailDetector({
            ...gaussianTailSpec.defaults,
            short: p.smoothShort!,
            shortExp: p.smoothExp!,
            long1: p.smoothLong!,
            long2: 0,
            long3: 0,
            decades: p.decades!,
            diffWindow: 0,
            seasonWindow: 0,
            ...off,
          })
        : null;
    this.floorK = p.floorK!;
  }

  update(tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    let g = this.gaussian.update(tMs, x);
    if (this.smooth) {
      // max, like the scales inside gaussian-tail: whichever channel finds the sample rarer counts
      const m = this.smooth.update(tMs, x);
      if (m > g) g = m;
    }
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
    if (this.iforest) s = (1 - this.iforestWeight) * s + this.iforestWeight * this.iforest.update(tMs, x);
    return this.holdoff.apply(unitScore(s));
  }

  reset(): void {
    this.gaussian.reset();
    this.knn.reset();
    this.holdoff.reset();
    this.recordG?.reset();
    this.recordK?.reset();
    this.iforest?.reset();
    this.smooth?.reset();
  }
}

export const ensembleSpec: DetectorSpec = {
  name: 'ensemble',
  summary: 'Gaussian tail (value, 48-sample mean, step, same time yesterday) + 0.2 conformal k-NN, with alert holdoff and fatigue',
  defaults: {
    long1: 6400,
    long2: 0,
    long3: 0,
    decades: 8,
    diffWindow: 6400,
    diffNovel: 1,
    seasonWindow: 6400,
    seasonWeek: 1,
    dim: 19,
    k: 27,
    train: 400,
    calib: 400,
    knnScale: 1000,
    mode: 2,
    weight: 0.2,
    iforestWeight: 0,
    smoothShort: 48,
    smoothLong: 6400,
    smoothExp: 0.5,
    seasonShort: 48,
    recordWindow: 0,
    floorG: 0,
    floorK: 0,
    alertLevel: 0.45,
    holdoff: 100,
    damp: 0,
    fatigue: 0.1,
    fatigueTau: 2000,
  },
  ranges: {
    ...GAUSSIAN_CHANNEL_RANGES,
    ...KNN_RANGES,
    knnScale: samples(2),
    mode: { min: 0, max: 2, integer: true },
    weight: FRACTION,
    iforestWeight: FRACTION,
    smoothShort: optionalSamples(1),
    smoothLong: samples(2),
    smoothExp: FRACTION,
    seasonShort: { min: 0, max: MAX_WINDOW, integer: true },
    recordWindow: optionalSamples(2),
    floorG: FRACTION,
    floorK: FRACTION,
    ...ALERT_SHAPING_RANGES,
  },
  check: kWithinTrain,
  create: (p) => new EnsembleDetector(p),
};

/**
 * The ensemble's alert shaping (level, holdoff, damping, fatigue), the defaults of the
 * detectors that combine it with another one and shape the mix the same way.
 */
export const ENSEMBLE_ALERT_SHAPING: Readonly<Record<'alertLevel' | 'holdoff' | 'damp' | 'fatigue' | 'fatigueTau', number>> = {
  alertLevel: ensembleSpec.defaults.alertLevel!,
  holdoff: ensembleSpec.defaults.holdoff!,
  damp: ensembleSpec.defaults.damp!,
  fatigue: ensembleSpec.defaults.fatigue!,
  fatigueTau: ensembleSpec.defaults.fatigueTau!,
};
