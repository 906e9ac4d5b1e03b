import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { CadOseDetector, cadOseSpec } from './cad-ose/cad-ose.js';
import { EnsembleDetector, ENSEMBLE_ALERT_SHAPING, ensembleSpec } from './ensemble.js';

/**
 * `cad-ensemble`: the default `ensemble` and `cad-ose` side by side.
 *
 * - `shared` 0 (the default): each keeps its own alert shaping (the ensemble its holdoff and
 *   fatigue, cad-ose its rest) and the score is max(ensemble, `weight` × cad-ose). With weight
 *   0.5 only a cad-ose score ≥ 0.9 can pass the ensemble's usual threshold (≈ 0.45): the
 *   confident onsets of a never-seen pattern. On NAB: 68.1 standard against 67.3 for the
 *   ensemble alone (+2 windows, +18 false positives).
 * - `shared` 1: the ensemble is built with its holdoff and fatigue off (as it builds its
 *   members), the raw scores are combined, and ONE AlertHoldoff (the ensemble's parameters)
 *   shapes the result. Measured 67.1–68.8 for weights 0.65–0.8 in mode 0 (as good, but a
 *   bumpier plateau): cad-ose's alerts feed the shared fatigue, which silences later windows.
 * - `mode` 0: max(ensemble, `weight` × cad); 1: (1 − `weight`) × ensemble + `weight` × cad;
 *   2: the ensemble damped by (1 − `weight`) where cad-ose predicted the sample (raw 0);
 *   3: the ensemble times (1 − `weight` + `weight` × cad raw). 1–3 measured worse, kept for comparison.
 * - `cadRest` 1: cad-ose's score after its rest rule (`cadRestPeriod`), 0: its raw score.
 *   `cadFatigue` > 0 gives the cad-ose part a fatigue of its own (no measurable gain, off).
 */
export class CadEnsembleDetector implements Detector {
  readonly name = 'cad-ensemble';
  private readonly ensemble: EnsembleDetector;
  private readonly cad: CadOseDetector;
  private readonly holdoff: AlertHoldoff;
  private readonly mode: number;
  private readonly weight: number;
  private readonly cadRest: boolean;
  /** 0: no shared holdoff; the ensemble keeps its own and cad-ose its rest (the max of the two outputs). */
  private readonly shared: boolean;
  /** Optional fatigue on the cad-ose part alone (its alerts raise its own bar). */
  private readonly cadFatigue: AlertHoldoff | null;

  constructor(p: DetectorParams) {
    this.shared = p.shared !== 0;
    this.ensemble = new EnsembleDetector(this.shared ? { ...ensembleSpec.defaults, alertLevel: 2, holdoff: 0, damp: 1, fatigue: 0 } : ensembleSpec.defaults);
    this.cad = new CadOseDetector({ ...cadOseSpec.defaults, restPeriod: p.cadRestPeriod! });
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
    this.cadFatigue = p.cadFatigue! > 0 ? new AlertHoldoff(p.alertLevel! / p.weight!, 0, 1, p.cadFatigue!, p.fatigueTau!) : null;
    this.mode = p.mode!;
    this.weight = p.weight!;
    this.cadRest = p.cadRest === 1;
  }

  update(tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    const e = this.ensemble.update(tMs, x);
    const rested = this.cad.update(tMs, x);
    let c = this.cadRest ? rested : this.cad.lastRaw;
    if (this.cadFatigue) c = this.cadFatigue.apply(c);
    let s: number;
    if (this.mode === 0) {
      const wc = this.weight * c;
      s = e > wc ? e : wc;
    } else if (this.mode === 2) {
      s = this.cad.lastRaw === 0 ? e * (1 - this.weight) : e;
    } else if (this.mode === 3) {
      s = e * (1 - this.weight + this.weight * this.cad.lastRaw);
    } else {
      s = (1 - this.weight) * e + this.weight * c;
    }
    return this.shared ? this.holdoff.apply(unitScore(s)) : unitScore(s);
  }

  reset(): void {
    this.ensemble.reset();
    this.cad.reset();
    this.holdoff.reset();
    this.cadFatigue?.reset();
  }
}

export const cadEnsembleSpec: DetectorSpec = {
  name: 'cad-ensemble',
  summary: 'max(ensemble, 0.5 × cad-ose), each with its own alert shaping',
  defaults: {
    mode: 0,
    weight: 0.5,
    shared: 0,
    cadFatigue: 0,
    cadRest: 1,
    cadRestPeriod: cadOseSpec.defaults.restPeriod!,
    ...ENSEMBLE_ALERT_SHAPING,
  },
  create: (p) => new CadEnsembleDetector(p),
};
