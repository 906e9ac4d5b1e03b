import { HAL_ERROR_KINDS, HalError, type HalErrorKind } from '../hal/errors.js';

/** Per-sensor counters, a plain object so metrics code can export it as it is. */
export interface SensorCounters {
  /** Good samples. */
  reads: number;
  /** Retries of a failed read-only sample. */
  retries: number;
  /** Failed operations, by HalError kind (non-HalErrors count as `other`). */
  errors: Record<HalErrorKind, number>;
  /** Re-initialisations after retries ran out (not counting a faulted sensor's recovery attempts). */
  reinits: number;
  /** Transitions into `faulted`. */
  faults: number;
  /** Transitions from `faulted` back to `ok`. */
  recoveries: number;
  /** Scheduled polls skipped because the previous one had not finished or the timer ran late. */
  overruns: number;
}

export function newSensorCounters(): SensorCounters {
  const errors = {} as Record<HalErrorKind, number>;
  for (const k of HAL_ERROR_KINDS) errors[k] = 0;
  return { reads: 0, retries: 0, errors, reinits: 0, faults: 0, recoveries: 0, overruns: 0 };
}

export function errorKind(err: unknown): HalErrorKind {
  return err instanceof HalError ? err.kind : 'other';
}
