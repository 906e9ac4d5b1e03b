import type { Clock, TimerHandle } from './clock.js';
import type { EdgeListener, Level } from './gpio.js';

/**
 * Reports a level change only after the raw level has held for `ms`. Shared by every
 * backend's DigitalIn so loop-detector inputs behave the same on sim and hardware.
 * `ms` 0 reports synchronously.
 */
export class Debouncer {
  private stable: Level;
  private raw: Level;
  private timer: TimerHandle | undefined;
  private readonly listeners = new Set<EdgeListener>();

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
    initial: Level,
  ) {
    if (!(ms >= 0)) throw new RangeError(`debounce must be >= 0 ms, got ${ms}`);
    this.stable = initial;
    this.raw = initial;
  }

  get level(): Level {
    return this.stable;
  }

  onChange(listener: EdgeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Feed a raw sample (an edge interrupt, a poll). */
  input(level: Level): void {
    if (level === this.raw) return;
    this.raw = level;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (level === this.stable) return; // a glitch that came back before the debounce time
    if (this.ms === 0) {
      this.commit(level);
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.raw === level) this.commit(level);
    }, this.ms);
  }

  dispose(): void {
    this.clock.clearTimer(this.timer);
    this.listeners.clear();
  }

  private commit(level: Level): void {
    this.stable = level;
    const t = this.clock.now();
    for (const l of this.listeners) l(level, t);
  }
}
