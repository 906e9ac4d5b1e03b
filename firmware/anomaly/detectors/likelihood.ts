import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { AnomalyLikelihood } from '../anomaly-likelihood.js';
import { ConfirmedHoldoff } from '../confirmed-holdoff.js';
import { SortedWindow } from '../sorted-window.js';
import { artimeBagEnsembleSpec, artimeEnsembleSpec } from './artime-ensemble.js';
import { ENSEMBLE_ALERT_SHAPING, ensembleSpec } from './ensemble.js';

/**
 * `likelihood`: score post-processing on the RAW (pre-holdoff) score of one of our detectors
 * (`base` 0: ensemble, 1: artime-ensemble, 2: artime-bag-ensemble, each built with its alert
 * holdoff off, alertLevel 2, so its unshaped score comes out).
 *
 * - Numenta's anomaly likelihood (anomaly-likelihood.ts: the mean of the last `short` raw
 *   scores against a Gaussian fitted to those means over the last `long` samples, refitted
 *   every `refit`), reported as NAB's log-likelihood (`log` 1) or the likelihood itself.
 * - `combine` 0: the likelihood alone; 1: max(`weight` × likelihood, the base's own shaped
 *   score, i.e. the raw score through the ensemble's AlertHoldoff); 2: max(`weight` ×
 *   likelihood, raw) under one holdoff; 3: the raw score alone (the likelihood not used: for
 *   the calibration alone); 4: as 2, but the fatigue penalty lowers the raw score only (a
 *   sustained rise of the raw score can alert in a stream that has alerted a lot).
 * - `calib` > 0: a per-stream conformal calibration of the score that goes into the main
 *   holdoff (combine 0: the likelihood; 2: the max; 1 and 3: the raw score), against the
 *   stream's own last `calib` such scores: with p = (#{held ≥ c} + 1) / (n + 1) and
 *   r = −log10 p / log10(n + 1) (1 for a value above all n held), `calibMode` 1 gives c · r^`calibExp`, 2 gives
 *   c − `calibScale` × (the held `calibQ` quantile), 3 gives r. A bursty stream (realTweets) whose raw score
 *   is often high then needs a larger score to alert.
 * - The main AlertHoldoff (`alertLevel`, `holdoff`, `damp`, `fatigue`, `fatigueTau`; identity
 *   when `holdoff` and `fatigue` are both 0) shapes the result (combine 1: the likelihood
 *   before the max; the base's part keeps the ensemble's shaping). With `confirmDelay` > 0
 *   (combine 0, 2, 3) a ConfirmedHoldoff (confirmed-holdoff.ts) takes its place: a candidate
 *   alert is emitted `confirmDelay` samples late, only if the raw score's mean over those
 *   samples is ≥ `confirm`.
 *
 * Everything is preallocated: the likelihood's two rings and the sorted calibration window.
 */
export class LikelihoodDetector implements Detector {
  readonly name: string;
  private readonly base: Detector;
  private readonly lik: AnomalyLikelihood | null;
  private readonly log: boolean;
  private readonly combine: number;
  private readonly weight: number;
  private readonly holdoff: AlertHoldoff | null;
  private readonly confirmed: ConfirmedHoldoff | null;
  private readonly baseShaping: AlertHoldoff;
  private readonly calib: SortedWindow | null;
  private readonly calibMode: number;
  private readonly calibExp: number;
  private readonly calibQ: number;
  private readonly calibScale: number;
  private readonly calibTies: boolean;

  constructor(p: DetectorParams, name = 'likelihood') {
    this.name = name;
    const b = p.base!;
    const spec = b === 0 ? ensembleSpec : b === 1 ? artimeEnsembleSpec : b === 2 ? artimeBagEnsembleSpec : null;
    if (!spec) throw new RangeError(`likelihood: base must be 0 (ensemble), 1 (artime-ensemble) or 2 (artime-bag-ensemble), got ${b}`);
    // `artProbation` / `artMargin` > 0 move the ARTime bases' learning period and range margin (to test neighbours)
    const baseParams: Record<string, number> = { ...spec.defaults, alertLevel: 2 };
    if (b !== 0 && p.artProbation! > 0) baseParams.probation = p.artProbation!;
    if (b !== 0 && p.artMargin! > 0) baseParams.margin = p.artMargin!;
    this.base = spec.create(baseParams);
    this.combine = p.combine!;
    this.lik =
      this.combine === 3
        ? null
        : new AnomalyLikelihood(p.short!, p.long!, p.learn!, p.estimate!, p.refit!, p.meanFloor!, p.varFloor!, p.twoSided! !== 0);
    this.log = p.log! !== 0;
    this.weight = p.weight!;
    this.holdoff = p.holdoff! > 0 || p.fatigue! > 0 ? new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!) : null;
    this.confirmed =
      p.confirmDelay! > 0 ? new ConfirmedHoldoff(p.alertLevel!, p.holdoff!, p.fatigue!, p.fatigueTau!, Math.floor(p.confirmDelay!), p.confirm!, p.rejectFatigue!) : null;
    const e = ENSEMBLE_ALERT_SHAPING;
    this.baseShaping = new AlertHoldoff(e.alertLevel, e.holdoff, e.damp, e.fatigue, e.fatigueTau);
    this.calib = p.calib! > 0 ? new SortedWindow(Math.floor(p.calib!)) : null;
    this.calibMode = p.calibMode!;
    this.calibExp = p.calibExp!;
    this.calibQ = p.calibQ!;
    this.calibScale = p.calibScale!;
    this.calibTies = p.calibTies! !== 0;
  }

  update(tMs: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    const raw = this.base.update(tMs, x);
    let l = 0;
    if (this.lik) {
      const L = this.lik.update(raw);
      l = this.weight * (this.log ? AnomalyLikelihood.logScore(L) : L);
    }
    if (this.combine === 1) {
      // the likelihood under its own shaping, max with the base's usual shaped score
      const shapedBase = this.baseShaping.apply(this.calibrate(raw));
      const sl = this.holdoff ? this.holdoff.apply(unitScore(l)) : l;
      return unitScore(sl > shapedBase ? sl : shapedBase);
    }
    if (this.combine === 4 && this.holdoff) {
      // the likelihood beside the raw score under one holdoff, the fatigue lowering the raw score only
      return unitScore(this.holdoff.applyOr(this.calibrate(raw), unitScore(l)));
    }
    let s = this.combine === 0 ? l : this.combine === 2 ? (l > raw ? l : raw) : raw;
    s = this.calibrate(unitScore(s));
    if (this.confirmed) return unitScore(this.confirmed.apply(s, raw));
    return unitScore(this.holdoff ? this.holdoff.apply(s) : s);
  }

  /** The per-stream conformal calibration (identity when `calib` is 0). */
  private calibrate(c: number): number {
    const w = this.calib;
    if (!w) return c;
    const n = w.count;
    let out: number;
    if (this.calibMode === 2) {
      const q = w.quantile(this.calibQ);
      out = c - this.calibScale * q;
    } else {
      // held values equal to c count against it (`calibTies` 0) or not (1: a clamped score of 1 stays rare)
      const p = (n - (this.calibTies ? w.countAtMost(c) : w.countBelow(c)) + 1) / (n + 1);
      // normalised by the p-value's floor 1 / (n + 1), so that the rarest value held scores 1
      const r = n > 0 ? -Math.log10(p) / Math.log10(n + 1) : 0;
      out = this.calibMode === 3 ? r : c * Math.pow(r, this.calibExp);
    }
    w.push(c);
    return unitScore(out);
  }

  reset(): void {
    this.base.reset();
    this.lik?.reset();
    this.holdoff?.reset();
    this.confirmed?.reset();
    this.baseShaping.reset();
    this.calib?.clear();
  }
}

export const likelihoodSpec: DetectorSpec = {
  name: 'likelihood',
  summary: "Numenta's anomaly likelihood (and/or a per-stream conformal calibration) on the raw score of the ensemble or the ARTime ensembles",
  defaults: {
    base: 0,
    artProbation: 0,
    artMargin: 0,
    combine: 0,
    short: 10,
    long: 8640,
    refit: 100,
    learn: 300,
    estimate: 300,
    meanFloor: 0.03,
    varFloor: 0.0003,
    twoSided: 1,
    log: 1,
    weight: 1,
    calib: 0,
    calibMode: 1,
    calibExp: 1,
    calibQ: 0.99,
    calibScale: 1,
    calibTies: 0,
    alertLevel: 0.5,
    holdoff: 0,
    damp: 0,
    fatigue: 0,
    fatigueTau: ENSEMBLE_ALERT_SHAPING.fatigueTau,
    confirmDelay: 0,
    confirm: 0.3,
    rejectFatigue: 0,
  },
  create: (p) => new LikelihoodDetector(p),
};

/**
 * The post-processing that scored best on NAB (2026-12-08, see the README): the raw score
 * under the ensemble's holdoff and fatigue, calibrated against the stream's last 8640 raw
 * scores (c · r^0.25), beside the anomaly likelihood of the raw score (short 10, long 8640),
 * which the fatigue does not lower (combine 4).
 */
const POST_PROCESSING: DetectorParams = {
  combine: 4,
  calib: 8640,
  calibMode: 1,
  calibExp: 0.25,
  ...ENSEMBLE_ALERT_SHAPING,
};

export const likelihoodEnsembleSpec: DetectorSpec = {
  name: 'likelihood-ensemble',
  summary: 'the ensemble, its raw score calibrated per stream and beside its anomaly likelihood, under its holdoff and fatigue',
  defaults: { ...likelihoodSpec.defaults, ...POST_PROCESSING, base: 0 },
  create: (p) => new LikelihoodDetector(p, 'likelihood-ensemble'),
};

export const likelihoodArtimeEnsembleSpec: DetectorSpec = {
  name: 'likelihood-artime-ensemble',
  summary: 'artime-ensemble, its raw score calibrated per stream and beside its anomaly likelihood, under its holdoff and fatigue',
  defaults: { ...likelihoodSpec.defaults, ...POST_PROCESSING, base: 1 },
  create: (p) => new LikelihoodDetector(p, 'likelihood-artime-ensemble'),
};
