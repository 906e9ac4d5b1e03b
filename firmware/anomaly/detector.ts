import type { ParamRange } from './param-ranges.js';

/**
 * The contract every streaming anomaly detector keeps. One instance watches one stream
 * (one sensor channel, one NAB file); a DetectorBank holds many.
 *
 * - `update(tMs, value)` is called once per sample, in time order, and returns the anomaly
 *   score of that sample in [0, 1] (1 = most anomalous). It sees only the samples given so
 *   far: no look-ahead, so the score of sample k never changes when more samples follow.
 * - All state lives in typed arrays allocated by the constructor: `update` allocates nothing,
 *   so a detector can run on every sensor of a cabinet without feeding the garbage collector.
 * - Same parameters and same samples give the same scores (seeded randomness only).
 * - A non-finite value (a sensor fault) scores 0 and leaves the state untouched, as if it had
 *   not been given: one NaN must not poison the rolling sums for the next hours.
 * - `tMs` is integer milliseconds from the caller's clock; detectors here only use the order
 *   of samples, but the time is part of the contract so a detector may use it (gaps, time of day).
 */
export interface Detector {
  /** The registry name (`gaussian-tail`, `seed`, …). */
  readonly name: string;
  update(tMs: number, value: number): number;
  /** Back to the state just after construction (same seed). */
  reset(): void;
}

/** Parameters are flat numbers so that they fit a site file, a CLI flag and a JSON result. */
export type DetectorParams = Readonly<Record<string, number>>;

export interface DetectorSpec {
  readonly name: string;
  readonly summary: string;
  /** The defaults; `create` receives them merged with the caller's overrides. */
  readonly defaults: DetectorParams;
  /** What a caller may set each parameter to (param-ranges.ts); a parameter without one is taken as given. */
  readonly ranges?: Readonly<Record<string, ParamRange>>;
  /** A rule across parameters (k no larger than the training set), checked on the merged set; the problem or null. */
  readonly check?: (params: DetectorParams) => string | null;
  create(params: DetectorParams): Detector;
}

/** Clamp to [0, 1] and map NaN to 0, so a detector bug never leaks a score outside the contract. */
export function unitScore(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}
