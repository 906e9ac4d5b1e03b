import type { DetectorParams } from './detector.js';

/**
 * What a detector parameter may be set to from a site file or the CLI. Without this a typo
 * such as `long1: -5` builds a detector that silently never alerts (a window ≤ 0 is "off"),
 * and `long1: 1e9` asks for 8 GB. `createDetector` checks the caller's values against the
 * spec's ranges; detectors built inside other detectors are not checked (they pass their own
 * switches, e.g. alertLevel 2 to turn a member's alerts off).
 */
export interface ParamRange {
  readonly min: number;
  readonly max: number;
  /** It counts samples, neighbours, dimensions, or picks a mode. */
  readonly integer?: boolean;
  /** 0 switches the feature off (below `min`). */
  readonly offAtZero?: boolean;
}

/** The longest window a site may ask for: 8 MB of Float64 per window, 28 h of 10 Hz scores. */
export const MAX_WINDOW = 1_000_000;

/** A count of samples, at least `min`. */
export const samples = (min = 2): ParamRange => ({ min, max: MAX_WINDOW, integer: true });
/** A count of samples, at least `min`, or 0 for off. */
export const optionalSamples = (min = 2): ParamRange => ({ min, max: MAX_WINDOW, integer: true, offAtZero: true });
/** 0 or 1. */
export const SWITCH: ParamRange = { min: 0, max: 1, integer: true };
/** A fraction, weight or score level in [0, 1]. */
export const FRACTION: ParamRange = { min: 0, max: 1 };

/** The alert shaping every shaped detector shares (alert-holdoff.ts). */
export const ALERT_SHAPING_RANGES: Readonly<Record<string, ParamRange>> = {
  // above 1 no score reaches it: the raw score, shaped by nothing (a member of a larger detector)
  alertLevel: { min: 0.001, max: 2 },
  holdoff: { min: 0, max: MAX_WINDOW, integer: true },
  damp: FRACTION,
  fatigue: { min: 0, max: 1 },
  fatigueTau: { min: 1, max: MAX_WINDOW },
};

function describe(r: ParamRange): string {
  const kind = r.integer ? 'an integer' : 'a number';
  return `${kind} from ${r.min} to ${r.max}${r.offAtZero ? ' (or 0 for off)' : ''}`;
}

/** Why `value` is not allowed for parameter `key`, or null. */
export function rangeProblem(key: string, value: number, r: ParamRange): string | null {
  if (r.offAtZero && value === 0) return null;
  if (value < r.min || value > r.max || (r.integer && !Number.isInteger(value))) return `parameter "${key}" must be ${describe(r)}, got ${value}`;
  return null;
}

/** Every range problem of `params` (the caller's values only), in the given order. */
export function paramProblems(params: DetectorParams, ranges: Readonly<Record<string, ParamRange>> | undefined): string[] {
  if (!ranges) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    const r = ranges[k];
    const p = r ? rangeProblem(k, v, r) : null;
    if (p) out.push(p);
  }
  return out;
}
