import { HalError } from '../hal/errors.js';

/**
 * How a sensor copes with a flaky bus (reference/boards.md "Known field problems"): retry
 * idempotent reads a few times with backoff, then re-initialise the chip, then mark it
 * faulted and keep trying to re-initialise, further apart each time.
 */
export interface RetryPolicy {
  /** Extra attempts after the first, for transient errors on read-only samples. Default 3. */
  readonly retries: number;
  /** Wait before the first retry, ms; doubles per retry up to maxBackoffMs. Default 2. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /**
   * A chip operation (one sample, one init) that has not settled by then fails as a timeout,
   * so a backend whose reply never comes (a Firmata board that went away) cannot hang the
   * sensor. It is a last resort above the backends' own per-transaction timeouts (sim and
   * Linux ~25 ms, Firmata 250 ms): default 1000 ms. Time the driver spends waiting for
   * conversions (`sampleWaitMs`) is added on top.
   */
  readonly opTimeoutMs: number;
  /** A reading older than this many sampling periods is stale. Default 3. */
  readonly staleAfterPeriods: number;
  /** First wait between re-init attempts of a faulted sensor, ms; doubles up to maxReinitBackoffMs. Default 500. */
  readonly reinitBackoffMs: number;
  readonly maxReinitBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 3,
  backoffMs: 2,
  maxBackoffMs: 50,
  opTimeoutMs: 1000,
  staleAfterPeriods: 3,
  reinitBackoffMs: 500,
  maxReinitBackoffMs: 30_000,
});

/** Backoff before retry number `attempt` (0-based). */
export function retryDelayMs(p: RetryPolicy, attempt: number): number {
  return Math.min(p.maxBackoffMs, p.backoffMs * 2 ** attempt);
}

/** Only these are worth another go on an idempotent read: the device may answer next time. */
export function isTransient(err: unknown): boolean {
  return err instanceof HalError && err.transient;
}
