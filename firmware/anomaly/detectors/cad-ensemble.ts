import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { CadOseDetector } from './cad-ose/cad-ose.js';
import { cadOseSpec } from './cad-ose/cad-ose.js';
import { EnsembleDetector, ensembleSpec } from './ensemble.js';

/**
 * `cad-ensemble`: the default `ensemble` and `cad-ose` side by side, their raw scores
 * combined before ONE alert holdoff. The ensemble is built with its own holdoff and fatigue
 * off (as it builds its members), so its score here is its raw mix; CAD OSE gives either its
 * raw score (`cadRest` 0) or the score after its own rest rule (1).
 *
 * - `mode` 0: max(ensemble, `weight` × cad); mode 1: (1 − `weight`) × ensemble + `weight` × cad.
 * - The holdoff parameters are the ensemble's (same meaning, same defaults).
 */
export class CadEnsembleDetector implements Detector {
  readonly name = 'cad-ensemble';
  private readonly ensemble: EnsembleDetector;
  private readonly cad: CadOseDetector;
  private readonly holdoff: AlertHoldoff;
  private readonly mode: number;
  private readonly weight: number;
  private readonly cadRest: boolean;

  constructor(p: DetectorParams) {
    this.ensemble = new EnsembleDetector({ ...ensembleSpec.defaults, alertLevel: 2, holdoff: 0, damp: 1, fatigue: 0 });
    this.cad = new CadOseDetector({ ...cadOseSpec.defaults, restPeriod: p.cadRestPeriod! });
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
    this.mode = p.mode!;
    this.weight = p.weight!;
    this.cadRest = p.cadRest === 1;
  }

  update(tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    const e = this.ensemble.update(tMs, x);
    const rested = this.cad.update(tMs, x);
    const c = this.cadRest ? rested : this.cad.lastRaw;
    let s: number;
    if (this.mode === 0) {
      const wc = this.weight * c;
      s = e > wc ? e : wc;
    } else {
      s = (1 - this.weight) * e + this.weight * c;
    }
    return this.holdoff.apply(unitScore(s));
  }

  reset(): void {
    this.ensemble.reset();
    this.cad.reset();
    this.holdoff.reset();
  }
}

export const cadEnsembleSpec: DetectorSpec = {
  name: 'cad-ensemble',
  summary: 'ensemble and cad-ose raw scores mixed, one alert holdoff',
  defaults: {
    mode: 1,
    weight: 0.2,
    cadRest: 1,
    cadRestPeriod: cadOseSpec.defaults.restPeriod!,
    alertLevel: ensembleSpec.defaults.alertLevel!,
    holdoff: ensembleSpec.defaults.holdoff!,
    damp: ensembleSpec.defaults.damp!,
    fatigue: ensembleSpec.defaults.fatigue!,
    fatigueTau: ensembleSpec.defaults.fatigueTau!,
  },
  create: (p) => new CadEnsembleDetector(p),
};
