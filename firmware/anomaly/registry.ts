import type { Detector, DetectorParams, DetectorSpec } from './detector.js';
import { paramProblems } from './param-ranges.js';
import { artimeSpec } from './detectors/artime.js';
import { artimeBagEnsembleSpec, artimeEnsembleSpec } from './detectors/artime-ensemble.js';
import { artimeBagSpec } from './detectors/artime-bag.js';
import { cadEnsembleSpec } from './detectors/cad-ensemble.js';
import { cadOseSpec } from './detectors/cad-ose/cad-ose.js';
import { ensembleSpec } from './detectors/ensemble.js';
import { gaussianTailSpec } from './detectors/gaussian-tail.js';
import { iforestSpec } from './detectors/iforest-stream.js';
import { knnConformalSpec } from './detectors/knn-conformal.js';
import { likelihoodArtimeEnsembleSpec, likelihoodEnsembleSpec } from './detectors/likelihood-ensemble.js';
import { seedSpec } from './detectors/seed.js';
import { spectralResidualSpec } from './detectors/spectral-residual.js';

/**
 * Every detector by name. `createDetector` merges the caller's parameters over the detector's
 * defaults and refuses an unknown name or parameter with the list of valid ones, as the
 * backend factory does.
 */
const SPECS: readonly DetectorSpec[] = [ensembleSpec, gaussianTailSpec, knnConformalSpec, iforestSpec, seedSpec, artimeSpec, artimeEnsembleSpec, cadOseSpec, cadEnsembleSpec, artimeBagSpec, spectralResidualSpec, artimeBagEnsembleSpec, likelihoodEnsembleSpec, likelihoodArtimeEnsembleSpec];

export const DEFAULT_DETECTOR = 'ensemble';

export function detectorNames(): string[] {
  return SPECS.map((s) => s.name);
}

export function detectorSpec(name: string): DetectorSpec {
  const spec = SPECS.find((s) => s.name === name);
  if (!spec) throw new RangeError(`unknown detector "${name}"; valid: ${detectorNames().join(', ')}`);
  return spec;
}

export function createDetector(name: string = DEFAULT_DETECTOR, params: DetectorParams = {}): Detector {
  const spec = detectorSpec(name);
  for (const [k, v] of Object.entries(params)) {
    if (!(k in spec.defaults)) {
      throw new RangeError(`detector "${name}" has no parameter "${k}"; valid: ${Object.keys(spec.defaults).join(', ') || '(none)'}`);
    }
    if (!Number.isFinite(v)) throw new RangeError(`detector "${name}" parameter "${k}" must be a finite number, got ${v}`);
  }
  const problems = paramProblems(params, spec.ranges);
  if (problems.length > 0) throw new RangeError(`detector "${name}" ${problems.join('; ')}`);
  const merged = { ...spec.defaults, ...params };
  const across = spec.check?.(merged);
  if (across) throw new RangeError(`detector "${name}": ${across}`);
  return spec.create(merged);
}

/** Scores a whole series with a fresh detector (batch use: the CLI and the NAB harness). */
export function scoreSeries(detector: Detector, tMs: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = detector.update(tMs[i]!, values[i]!);
  return out;
}
