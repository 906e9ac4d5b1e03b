import type { EngineView } from '../strategy.js';

/**
 * Per-phase queue estimated from detector counts, as the queue-driven strategies (actuated,
 * max-pressure) see it: each counted arrival adds one vehicle; a green removes vehicles at the
 * saturation flow once its start-up time has passed (`discharge(dtMs)` vehicles per step);
 * never below zero, and what is left at the end of a green carries over.
 */
export class QueueEstimate {
  /** Estimated queue by phase number (vehicles). */
  readonly q = new Float64Array(9);
  private readonly lastCount = new Float64Array(9);
  private lastT = -1;

  constructor(
    private readonly discharge: (dtMs: number) => number,
    private readonly startupMs: number,
  ) {}

  observe(view: EngineView, now: number): void {
    const dt = this.lastT < 0 ? 0 : now - this.lastT;
    this.lastT = now;
    for (const p of view.structure.phases) {
      const c = view.arrivals(p);
      let q = this.q[p]! + (c - this.lastCount[p]!);
      this.lastCount[p] = c;
      if (view.isGreen(p) && now - view.greenStart(p) >= this.startupMs) q -= this.discharge(dt);
      this.q[p] = q > 0 ? q : 0;
    }
  }
}
