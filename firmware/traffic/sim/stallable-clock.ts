import type { Clock, TimerHandle } from '../../../drivers/hal/clock.js';

/**
 * A view of a clock whose timers stop firing once `stall()` is called: a hung controller
 * process, as the conflict monitor (on the real clock) sees it. Time itself goes on.
 */
export class StallableClock implements Clock {
  private stalledF = false;
  constructor(private readonly inner: Clock) {}
  get stalled(): boolean {
    return this.stalledF;
  }
  stall(): void {
    this.stalledF = true;
  }
  resume(): void {
    this.stalledF = false;
  }
  now(): number {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.inner.setTimeout(() => {
      if (!this.stalledF) fn();
    }, ms);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.inner.setInterval(() => {
      if (!this.stalledF) fn();
    }, ms);
  }
  clearTimer(h: TimerHandle | undefined): void {
    this.inner.clearTimer(h);
  }
}
