import type { StrategySpec } from '../plan.js';
import { type EngineView, RingOrderStrategy } from '../strategy.js';

const READINGS = 10;

/**
 * The original article's rule, kept as a baseline: every green lasts 2 × the mean of the
 * busiest approach's last 10 flow readings, clamped to 15-60 s. A flow reading is the vehicles
 * counted on a phase's detectors in one `readingMs` window, in vehicles per minute. Phases are
 * served in ring order; the engine still times yellow and red clearance and enforces min green.
 */
export class SeedStrategy extends RingOrderStrategy {
  readonly type = 'seed' as const;
  readonly endCode = 6 as const;
  private readonly readings = new Float64Array(9 * READINGS);
  private readonly filled = new Int32Array(9);
  private readonly lastCount = new Float64Array(9);
  private readonly green = new Float64Array(9);
  private nextReading = -1;

  constructor(private readonly spec: Extract<StrategySpec, { type: 'seed' }>) {
    super();
  }

  override observe(view: EngineView, now: number): void {
    if (this.nextReading < 0) {
      this.nextReading = now + this.spec.readingMs;
      for (const p of view.structure.phases) this.lastCount[p] = view.arrivals(p);
      return;
    }
    if (now < this.nextReading) return;
    this.nextReading += this.spec.readingMs;
    for (const p of view.structure.phases) {
      const c = view.arrivals(p);
      const perMin = ((c - this.lastCount[p]!) * 60000) / this.spec.readingMs;
      this.lastCount[p] = c;
      this.readings[p * READINGS + (this.filled[p]! % READINGS)] = perMin;
      this.filled[p]!++;
    }
  }

  /** Current green length in ms from the rule. */
  greenMs(view: EngineView): number {
    let busiest = 0;
    for (const p of view.structure.phases) {
      const n = Math.min(READINGS, this.filled[p]!);
      if (n === 0) continue;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += this.readings[p * READINGS + i]!;
      busiest = Math.max(busiest, sum / n);
    }
    const ms = Math.round(2 * busiest * 1000);
    return Math.min(this.spec.maxMs, Math.max(this.spec.minMs, ms));
  }

  override onGreenStart(phase: number, view: EngineView): void {
    this.green[phase] = this.greenMs(view);
  }

  extend(phase: number, elapsedMs: number): boolean {
    return elapsedMs < this.green[phase]!;
  }
}
