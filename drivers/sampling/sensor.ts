import type { Clock, TimerHandle } from '../hal/clock.js';
import { HalError } from '../hal/errors.js';
import { formatAddress } from '../hal/i2c.js';
import type { ChipDriver } from '../chips/chip.js';
import { DEFAULT_RETRY_POLICY, isTransient, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { errorKind, newSensorCounters, type SensorCounters } from './sensor-counters.js';

/**
 * `starting`: not initialised yet; `ok`: the chip answers (the reading may still be stale
 * after failed samples); `faulted`: init failed, re-init is attempted with backoff.
 */
export type SensorState = 'starting' | 'ok' | 'faulted';

export interface SensorOptions {
  /** Sampling period, ms (1000 / rate_hz). Staleness is measured in these. */
  periodMs: number;
  policy?: Partial<RetryPolicy>;
  /** Called on every state change (rare: not on the sample path). */
  onState?: (sensor: Sensor, state: SensorState, error: string | undefined) => void;
}

/**
 * A chip driver with the fault policy around it: bounded retries with backoff on transient
 * errors of read-only samples, then a re-init, then `faulted` with self-recovery. The last
 * good values stay in `values` with their time, so consumers can see how old they are.
 * `poll()` never throws and always settles within a bounded time on the clock.
 */
export class Sensor {
  readonly policy: RetryPolicy;
  /** Last good values, one per `driver.channels` entry. */
  readonly values: Float64Array;
  readonly counters: SensorCounters = newSensorCounters();
  private readonly scratch: Float64Array;
  private st: SensorState = 'starting';
  private lastGood = Number.NEGATIVE_INFINITY;
  private nextInitAt = Number.NEGATIVE_INFINITY;
  private reinitWait: number;
  private err: string | undefined;
  private abandoned = false;
  /**
   * The op timeout, as a deadline and one lazily re-armed timer rather than a timer armed and
   * cleared per operation: at 100 Hz a timer per poll was a tenth of the sampling's CPU. The
   * timer, when it fires, times out the op in flight if its deadline has passed, re-arms for
   * the op in flight if not, and stays unarmed if nothing is in flight.
   */
  private opTimer: TimerHandle | undefined;
  private opTimerDue = 0;
  private opDeadline = 0;
  private opWhat: 'sample' | 'init' = 'sample';
  private opPromise: Promise<void> | null = null;
  private opReject: ((e: unknown) => void) | null = null;
  private stopped = false;
  private readonly onOpTimer = (): void => this.checkOpDeadline();

  constructor(
    readonly name: string,
    readonly driver: ChipDriver,
    private readonly clock: Clock,
    private readonly options: SensorOptions,
  ) {
    if (!(options.periodMs > 0)) throw new RangeError(`sensor ${name}: period must be > 0 ms, got ${options.periodMs}`);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.values = new Float64Array(driver.channels.length).fill(NaN);
    this.scratch = new Float64Array(driver.channels.length);
    this.reinitWait = this.policy.reinitBackoffMs;
  }

  get periodMs(): number {
    return this.options.periodMs;
  }

  get channels(): readonly string[] {
    return this.driver.channels;
  }

  get state(): SensorState {
    return this.st;
  }

  /** Message of the last error (bus, address and what failed), for status pages. */
  get lastError(): string | undefined {
    return this.err;
  }

  /** Clock time of the last good reading (-Infinity before the first). */
  get lastGoodMs(): number {
    return this.lastGood;
  }

  ageMs(now = this.clock.now()): number {
    return now - this.lastGood;
  }

  /** No good reading for `staleAfterPeriods` periods (or never one). */
  isStale(now = this.clock.now()): boolean {
    return this.ageMs(now) > this.policy.staleAfterPeriods * this.options.periodMs;
  }

  /**
   * One scheduled attempt. Resolves true when `values` holds a fresh reading. A faulted
   * sensor touches the bus only when its re-init backoff has elapsed.
   */
  async poll(): Promise<boolean> {
    // An operation abandoned by the op timeout may still be running in the driver (a backend
    // that never settles): never start a second one on the same driver's buffers.
    if (this.abandoned) return false;
    if (this.st !== 'ok') {
      if (this.clock.now() < this.nextInitAt) return false;
      if (!(await this.tryInit())) return false;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.guard(this.driver.sample(this.scratch), 'sample');
        this.values.set(this.scratch);
        this.lastGood = this.clock.now();
        this.counters.reads++;
        return true;
      } catch (e) {
        this.noteError(e);
        if (!this.driver.sampleIsReadOnly || !isTransient(e) || attempt >= this.policy.retries) break;
        this.counters.retries++;
        await this.sleep(retryDelayMs(this.policy, attempt));
      }
    }
    // Retries are spent (or the sample writes, so it is never retried blindly): re-initialise.
    this.counters.reinits++;
    if (!(await this.tryInit())) return false;
    try {
      await this.guard(this.driver.sample(this.scratch), 'sample');
      this.values.set(this.scratch);
      this.lastGood = this.clock.now();
      this.counters.reads++;
      return true;
    } catch (e) {
      this.noteError(e);
      return false;
    }
  }

  /** Init with the op timeout; on failure → faulted with the next attempt after a growing backoff. */
  private async tryInit(): Promise<boolean> {
    try {
      await this.guard(this.driver.init(), 'init');
    } catch (e) {
      this.noteError(e);
      this.nextInitAt = this.clock.now() + this.reinitWait;
      this.reinitWait = Math.min(this.policy.maxReinitBackoffMs, this.reinitWait * 2);
      if (this.st !== 'faulted') {
        this.counters.faults++;
        this.setState('faulted');
      }
      return false;
    }
    this.reinitWait = this.policy.reinitBackoffMs;
    if (this.st === 'faulted') this.counters.recoveries++;
    if (this.st !== 'ok') this.setState('ok');
    return true;
  }

  private noteError(e: unknown): void {
    this.counters.errors[errorKind(e)]++;
    this.err = e instanceof Error ? e.message : String(e);
  }

  private setState(s: SensorState): void {
    this.st = s;
    this.options.onState?.(this, s, s === 'faulted' ? this.err : undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  /**
   * No more polls will come (the scheduler stopped): the op timer is cleared once nothing is
   * in flight, so it holds no process open. An op still in flight keeps its timeout.
   */
  stop(): void {
    this.stopped = true;
    if (!this.opReject) this.clearOpTimer();
  }

  /** Rejects with a timeout HalError if `p` has not settled within the op timeout. */
  private guard(p: Promise<void>, what: 'sample' | 'init'): Promise<void> {
    return new Promise((resolve, reject) => {
      const now = this.clock.now();
      this.opDeadline = now + this.opTimeoutMs(what);
      this.opWhat = what;
      this.opPromise = p;
      this.opReject = reject;
      if (this.opTimer === undefined || this.opDeadline < this.opTimerDue) this.armOpTimer(now);
      p.then(
        () => {
          if (this.settleOp(reject)) resolve();
        },
        (e: unknown) => {
          if (this.settleOp(reject)) reject(e);
        },
      );
    });
  }

  /** How long an op may take: init waits too (BME280 reset 2 ms + NVM copy); a sample waits for its conversions. */
  private opTimeoutMs(what: 'sample' | 'init'): number {
    return this.policy.opTimeoutMs + (what === 'sample' ? this.driver.sampleWaitMs : 20);
  }

  /** The op of `reject` settled; false if its timeout already rejected it. */
  private settleOp(reject: (e: unknown) => void): boolean {
    if (this.opReject !== reject) return false;
    this.opReject = null;
    this.opPromise = null;
    if (this.stopped) this.clearOpTimer();
    return true;
  }

  private armOpTimer(now: number): void {
    this.clearOpTimer();
    this.opTimerDue = this.opDeadline;
    this.opTimer = this.clock.setTimeout(this.onOpTimer, this.opDeadline - now);
  }

  private clearOpTimer(): void {
    if (this.opTimer === undefined) return;
    this.clock.clearTimer(this.opTimer);
    this.opTimer = undefined;
  }

  private checkOpDeadline(): void {
    this.opTimer = undefined;
    const reject = this.opReject;
    if (!reject) return; // nothing in flight: the next op arms the timer again
    const now = this.clock.now();
    if (now < this.opDeadline) {
      this.armOpTimer(now);
      return;
    }
    const p = this.opPromise!;
    this.opReject = null;
    this.opPromise = null;
    this.abandoned = true;
    p.then(
      () => (this.abandoned = false),
      () => (this.abandoned = false),
    );
    const d = this.driver;
    reject(new HalError('timeout', `${d.bus.name} addr ${formatAddress(d.address)} ${d.chip} (${this.name}): ${this.opWhat} did not finish within ${this.opTimeoutMs(this.opWhat)} ms`));
  }
}
