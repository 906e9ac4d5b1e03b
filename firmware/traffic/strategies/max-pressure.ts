import type { StrategySpec } from '../plan.js';
import type { EngineView, Strategy } from '../strategy.js';

/**
 * Max-pressure (Varaiya 2013) for an isolated intersection: the pressure of a phase is its
 * estimated upstream queue (downstream queues are taken as empty). Queues are estimated from
 * detector counts: + each counted arrival, − saturation flow while the phase is green after its
 * start-up, never below zero. A green is kept while its pressure is at least that of the best
 * conflicting phase minus a switching allowance (the vehicles a change's lost time would have
 * served), and ends when its queue is gone; the next phase and side are the highest pressure.
 */
export class MaxPressureStrategy implements Strategy {
  readonly type = 'max-pressure' as const;
  readonly endCode = 6 as const;
  private readonly q = new Float64Array(9);
  private readonly lastCount = new Float64Array(9);
  private lastT = -1;
  private readonly satPerMs: number;

  constructor(
    private readonly spec: Extract<StrategySpec, { type: 'max-pressure' }>,
    private readonly startupMs = 2000,
  ) {
    this.satPerMs = spec.saturationVph / 3_600_000;
  }

  queue(phase: number): number {
    return this.q[phase]!;
  }

  observe(view: EngineView, now: number): void {
    const dt = this.lastT < 0 ? 0 : now - this.lastT;
    this.lastT = now;
    for (const p of view.structure.phases) {
      const c = view.arrivals(p);
      let q = this.q[p]! + (c - this.lastCount[p]!);
      this.lastCount[p] = c;
      if (view.isGreen(p) && now - view.greenStart(p) >= this.startupMs) q -= this.satPerMs * dt;
      this.q[p] = q > 0 ? q : 0;
    }
  }

  extend(phase: number, _elapsedMs: number, view: EngineView, now: number): boolean {
    const own = this.q[phase]!;
    const recent = view.occupied(phase) || now - view.lastOff(phase) < view.timing(phase).passageMs;
    if (own < 0.5 && !recent) return false;
    let best = 0;
    const s = view.structure;
    for (const q of s.phases) {
      if (q === phase || s.compatible[phase]![q] || !view.demand(q)) continue;
      if (this.q[q]! > best) best = this.q[q]!;
    }
    const t = view.timing(phase);
    const allowance = (t.yellowMs + t.redClearMs + this.startupMs) * this.satPerMs;
    return own + allowance >= best;
  }

  pickNext(candidates: readonly number[]): number {
    let bestP = candidates[0]!;
    for (const p of candidates) if (this.q[p]! > this.q[bestP]!) bestP = p;
    return bestP;
  }

  pickSide(sides: readonly number[], view: EngineView): number {
    let bestS = sides[0]!;
    let bestP = -1;
    for (const side of sides) {
      let pr = 0;
      for (const p of view.structure.barriers[side]!) pr += this.q[p]!;
      if (pr > bestP) {
        bestP = pr;
        bestS = side;
      }
    }
    return bestS;
  }

  onGreenStart(): void {}
  onGreenEnd(): void {}
}
