import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { AnomalyLikelihood } from '../anomaly-likelihood.js';
import { SortedWindow } from '../sorted-window.js';
import { artimeEnsembleSpec } from './artime-ensemble.js';
import { ENSEMBLE_ALERT_SHAPING, ensembleSpec } from './ensemble.js';

/** nupic's floors on the fitted mean and variance of the short means. */
const MEAN_FLOOR = 0.03;
const VAR_FLOOR = 0.0003;

/**
 * `likelihood-ensemble` and `likelihood-artime-ensemble`: the raw score (before any holdoff)
 * of the ensemble or of artime-ensemble, post-processed for how NAB counts (2026-12-08;
 * firmware/anomaly/README.md has the measurements):
 *
 * - **calibrated per stream**: c · r^`calibExp`, with r = −log10 p / log10(n + 1) and p the
 *   conformal p-value of c among the stream's last `calib` raw scores (1 for a score above all
 *   of them). A bursty stream, whose raw score is often high, needs a larger score to alert.
 *   Alone this loses windows: it penalises the same bursts the fatigue already does.
 * - **beside it**, `weight` × Numenta's anomaly likelihood of the raw score (anomaly-likelihood.ts:
 *   the mean of the last `short` raw scores against a Gaussian of those means over the last
 *   `long`, NAB's log scale), which the fatigue does NOT lower (AlertHoldoff.applyOr): a
 *   sustained rise of the raw score still alerts in a stream that has alerted a lot.
 * - under the ensemble's alert holdoff and fatigue.
 *
 * `calib` 0 or `weight` 0 switch one part off, to measure the other. For the ARTime base,
 * `probation` and `margin` are passed to it (its own defaults unless set). Everything is
 * preallocated: the likelihood's two rings and the sorted calibration window (≈ 200 KiB a
 * stream with the defaults, on top of the base's).
 */
export class LikelihoodEnsembleDetector implements Detector {
  private readonly base: Detector;
  private readonly lik: AnomalyLikelihood | null;
  private readonly weight: number;
  private readonly calib: SortedWindow | null;
  private readonly calibExp: number;
  private readonly holdoff: AlertHoldoff;

  constructor(
    readonly name: string,
    base: Detector,
    p: DetectorParams,
  ) {
    this.base = base;
    this.weight = p.weight!;
    this.lik = this.weight > 0 ? new AnomalyLikelihood(p.short!, p.long!, p.learn!, p.estimate!, p.refit!, MEAN_FLOOR, VAR_FLOOR, p.twoSided! !== 0) : null;
    this.calib = p.calib! > 0 ? new SortedWindow(Math.floor(p.calib!)) : null;
    this.calibExp = p.calibExp!;
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
  }

  update(tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    const raw = this.base.update(tMs, x);
    const l = this.lik ? unitScore(this.weight * AnomalyLikelihood.logScore(this.lik.update(raw))) : 0;
    return unitScore(this.holdoff.applyOr(this.calibrate(raw), l));
  }

  /** The per-stream conformal calibration (identity when `calib` is 0). */
  private calibrate(c: number): number {
    const w = this.calib;
    if (!w) return c;
    const n = w.count;
    const p = (n - w.countBelow(c) + 1) / (n + 1);
    // normalised by the p-value's floor 1 / (n + 1), so the rarest value held scores 1
    const r = n > 0 ? -Math.log10(p) / Math.log10(n + 1) : 0;
    w.push(c);
    return unitScore(c * Math.pow(r, this.calibExp));
  }

  reset(): void {
    this.base.reset();
    this.lik?.reset();
    this.calib?.clear();
    this.holdoff.reset();
  }
}

/** The post-processing's parameters: nupic's likelihood windows, the calibration, the ensemble's shaping. */
const POST_PROCESSING: DetectorParams = {
  short: 10,
  long: 8640,
  refit: 100,
  learn: 300,
  estimate: 300,
  twoSided: 1,
  weight: 1,
  calib: 8640,
  calibExp: 0.25,
  ...ENSEMBLE_ALERT_SHAPING,
};

/** The base with its own alert shaping off (alertLevel 2: no score reaches it), so its raw score comes out. */
const raw = (spec: DetectorSpec, params: DetectorParams = {}) => spec.create({ ...spec.defaults, ...params, alertLevel: 2 });

export const likelihoodEnsembleSpec: DetectorSpec = {
  name: 'likelihood-ensemble',
  summary: 'the ensemble, its raw score calibrated per stream and beside its anomaly likelihood, under its holdoff and fatigue',
  defaults: POST_PROCESSING,
  create: (p) => new LikelihoodEnsembleDetector('likelihood-ensemble', raw(ensembleSpec), p),
};

export const likelihoodArtimeEnsembleSpec: DetectorSpec = {
  name: 'likelihood-artime-ensemble',
  summary: 'artime-ensemble, its raw score calibrated per stream and beside its anomaly likelihood, under its holdoff and fatigue (best streaming NAB score)',
  defaults: { ...POST_PROCESSING, probation: artimeEnsembleSpec.defaults.probation!, margin: artimeEnsembleSpec.defaults.margin! },
  create: (p) => new LikelihoodEnsembleDetector('likelihood-artime-ensemble', raw(artimeEnsembleSpec, { probation: p.probation!, margin: p.margin! }), p),
};
