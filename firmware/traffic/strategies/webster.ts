import type { StrategySpec } from '../plan.js';
import { type EngineView, RingOrderStrategy } from '../strategy.js';

/**
 * Webster: every `everyCycles` cycles, cycle length C0 = (1.5 L + 5) / (1 − Y) and green splits
 * in proportion to the critical flow ratios, from the flows counted since the last update.
 * L is the sum of yellow + red clearance along the critical path.
 */
export class WebsterStrategy extends RingOrderStrategy {
  readonly type = 'webster' as const;
  readonly endCode = 6 as const;
  private readonly green = new Float64Array(9);
  private readonly lastCount = new Float64Array(9);
  private windowStart = -1;
  private cycleMs = 60000;

  constructor(private readonly spec: Extract<StrategySpec, { type: 'webster' }>) {
    super();
  }

  get currentCycleMs(): number {
    return this.cycleMs;
  }

  override observe(view: EngineView, now: number): void {
    if (this.windowStart < 0) {
      this.windowStart = now;
      for (const p of view.structure.phases) {
        this.lastCount[p] = view.arrivals(p);
        this.green[p] = view.timing(p).minGreenMs * 3;
      }
      return;
    }
    const span = now - this.windowStart;
    if (span < this.spec.everyCycles * this.cycleMs) return;
    this.recompute(view, span);
    this.windowStart = now;
  }

  private recompute(view: EngineView, spanMs: number): void {
    const s = view.structure;
    const y = new Float64Array(9);
    for (const p of s.phases) {
      const c = view.arrivals(p);
      const vph = ((c - this.lastCount[p]!) * 3_600_000) / spanMs;
      this.lastCount[p] = c;
      y[p] = vph / this.spec.saturationVph;
    }
    // Critical path: per side, the ring with the largest sum of flow ratios.
    let Y = 0;
    let L = 0;
    const crit: number[] = [];
    for (const side of s.barriers) {
      let best = -1;
      let bestRing: number[] = [];
      for (const ring of s.rings) {
        const ps = ring.filter((p) => side.includes(p));
        if (ps.length === 0) continue;
        const sum = ps.reduce((a, p) => a + y[p]!, 0);
        if (sum > best) {
          best = sum;
          bestRing = ps;
        }
      }
      Y += Math.max(0, best);
      for (const p of bestRing) L += view.timing(p).yellowMs + view.timing(p).redClearMs;
      crit.push(...bestRing);
    }
    Y = Math.min(Y, 0.95);
    const c0 = ((1.5 * L) / 1000 + 5) / (1 - Y);
    this.cycleMs = Math.min(this.spec.maxCycleMs, Math.max(this.spec.minCycleMs, Math.round(c0 * 1000)));
    const effective = this.cycleMs - L;
    for (const side of s.barriers) {
      // Each side gets the share of its critical ratio; each phase its share within its ring.
      let sideY = 0;
      for (const p of crit) if (side.includes(p)) sideY += y[p]!;
      const sideGreen = Y > 0 ? (effective * sideY) / Y : effective / s.barriers.length;
      for (const ring of s.rings) {
        const ps = ring.filter((p) => side.includes(p));
        const ringY = ps.reduce((a, p) => a + y[p]!, 0);
        const ringLost = ps.reduce((a, p) => a + view.timing(p).yellowMs + view.timing(p).redClearMs, 0);
        const critLost = crit.filter((p) => side.includes(p)).reduce((a, p) => a + view.timing(p).yellowMs + view.timing(p).redClearMs, 0);
        const avail = sideGreen + critLost - ringLost;
        for (const p of ps) this.green[p] = ringY > 0 ? (avail * y[p]!) / ringY : avail / ps.length;
      }
    }
  }

  extend(phase: number, elapsedMs: number): boolean {
    return elapsedMs < this.green[phase]!;
  }
}
