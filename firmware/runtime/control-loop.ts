import { alignedAfter, type Clock, type TimerHandle } from '../../drivers/hal/clock.js';
import { absoluteNowMs, Heartbeat } from './heartbeat.js';
import { LagHistogram } from './lag-histogram.js';

export interface ControlLoopOptions {
  readonly periodMs: number;
  /** The work of one tick: controller step, monitor check, detector stage. */
  readonly step: (nowMs: number) => void;
  /** The conflict monitor's verdict, read after each step. */
  readonly monitorHealthy: () => boolean;
  /** Called after each tick whose monitor verdict is healthy (systemd watchdog). */
  readonly onHealthyTick?: () => void;
  /** Where errors thrown by `step` go; the loop keeps ticking only if the caller decides so. */
  readonly onError: (err: unknown) => void;
  readonly heartbeat?: Heartbeat;
  /** High-resolution time for lag (ms); defaults to performance.now(). */
  readonly hrNow?: () => number;
}

/**
 * The fixed-rate tick of the control thread. Measures how late each tick fires (loop lag),
 * writes the shared heartbeat, and pets the watchdog only from a healthy tick, so a stuck
 * loop or a tripped monitor stops the pets and systemd restarts the service.
 */
export class ControlLoop {
  readonly lag = new LagHistogram();
  readonly heartbeat: Heartbeat;
  ticks = 0;
  lastTickMs = -1;
  private timer: TimerHandle | undefined;
  private due = 0;
  /**
   * On the multiples of the period where the clock can (SystemClock), so the 100 Hz sensor
   * polls share the tick's wake-up; the tick's order among them does not matter.
   */
  private readonly aligned: boolean;
  private readonly hrNow: () => number;

  constructor(
    private readonly clock: Clock,
    private readonly options: ControlLoopOptions,
  ) {
    this.heartbeat = options.heartbeat ?? new Heartbeat();
    this.hrNow = options.hrNow ?? (() => performance.now());
    this.aligned = clock.setAlignedInterval !== undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.heartbeat.setRunning(true, this.options.periodMs);
    const p = this.options.periodMs;
    const hr = this.hrNow();
    this.due = this.aligned ? alignedAfter(hr, p) : hr + p;
    this.timer = this.aligned ? this.clock.setAlignedInterval!(() => this.tick(), p) : this.clock.setInterval(() => this.tick(), p);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.heartbeat.setRunning(false, this.options.periodMs);
  }

  private tick(): void {
    const hr = this.hrNow();
    const late = hr - this.due;
    this.lag.observe(late > 0 ? late : 0);
    // Re-anchor like SystemClock does, so one long stall is one big lag, not a burst.
    const p = this.options.periodMs;
    this.due = late > p ? (this.aligned ? alignedAfter(hr, p) : hr + p) : this.due + p;
    const now = this.clock.now();
    this.ticks++;
    this.lastTickMs = now;
    let healthy = false;
    try {
      this.options.step(now);
      healthy = this.options.monitorHealthy();
    } catch (err) {
      this.options.onError(err);
    }
    this.heartbeat.beat(absoluteNowMs(), healthy);
    if (healthy) this.options.onHealthyTick?.();
  }
}
