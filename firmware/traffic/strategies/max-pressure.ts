import type { StrategySpec } from '../plan.js';
import type { EngineView, Strategy } from '../strategy.js';
import { QueueEstimate } from './queue-estimate.js';

/**
 * Max-pressure (Varaiya 2013) for an isolated intersection: the pressure of a phase is its
 * estimated upstream queue (downstream queues are taken as empty). Queues are estimated from
 * detector counts: + each counted arrival, − saturation flow while the phase is green after its
 * start-up, never below zero. A green keeps discharging its queue unless the best conflicting
 * pressure grows beyond twice its own plus twice the switching allowance (the vehicles a
 * change's lost time would serve); once its queue is gone it holds only for arriving vehicles
 * and only while no conflicting queue exceeds the allowance. The next phase and side are those
 * of highest pressure.
 */
const AGING_MS = 30000;
/** No call waits longer than this (plus the green in progress and its clearance). */
export const MAX_WAIT_MS = 120000;

export class MaxPressureStrategy implements Strategy {
  readonly type = 'max-pressure' as const;
  readonly endCode = 6 as const;
  private readonly queues: QueueEstimate;
  /** Queue estimate by phase (the estimator's array). */
  private readonly q: Float64Array;
  private readonly satPerMs: number;

  constructor(
    private readonly spec: Extract<StrategySpec, { type: 'max-pressure' }>,
    private readonly startupMs = 2000,
  ) {
    this.satPerMs = spec.saturationVph / 3_600_000;
    this.queues = new QueueEstimate((dt) => this.satPerMs * dt, startupMs);
    this.q = this.queues.q;
  }

  queue(phase: number): number {
    return this.q[phase]!;
  }

  /**
   * Pressure: the queue estimate, at least one vehicle for a phase with a call, plus one vehicle
   * per `AGING_MS` waited, so a call the counts missed (a ped, a recall, a failed detector) cannot
   * be starved; past MAX_WAIT_MS it outranks every queue.
   */
  private pressure(p: number, view: EngineView, now: number): number {
    if (!view.demand(p) || view.isGreen(p)) return this.q[p]!;
    // The engine's record, not the strategy's: it survives a plan switch (a new strategy).
    const since = view.waitingSince(p);
    const waited = since >= 0 ? now - since : 0;
    if (waited >= MAX_WAIT_MS) return 1e6 + waited; // served next, whatever the queues say
    return Math.max(this.q[p]!, 1) + waited / AGING_MS;
  }

  observe(view: EngineView, now: number): void {
    this.queues.observe(view, now);
  }

  extend(phase: number, _elapsedMs: number, view: EngineView, now: number): boolean {
    const own = this.q[phase]!;
    let best = 0;
    const s = view.structure;
    for (const q of s.phases) {
      if (q === phase || s.compatible[phase]![q] || !view.demand(q)) continue;
      const pq = this.pressure(q, view, now);
      if (pq > best) best = pq;
    }
    const t = view.timing(phase);
    // What switching costs, in vehicles the other phase could have gone with: yellow + red + start-up.
    const allowance = (t.yellowMs + t.redClearMs + this.startupMs) * this.satPerMs;
    // Keep discharging while the standing queue lasts (switching mid-queue wastes the lost time),
    // unless the waiting pressure has grown far beyond ours.
    if (own >= 0.5) return best <= 2 * own + 2 * allowance;
    // Queue gone: hold for arrivals only while nobody else is really waiting.
    const recent = view.occupied(phase) || now - view.lastOff(phase) < t.passageMs;
    return recent && best < allowance;
  }

  pickNext(candidates: readonly number[], view: EngineView, now: number): number {
    let bestP = candidates[0]!;
    for (const p of candidates) if (this.pressure(p, view, now) > this.pressure(bestP, view, now)) bestP = p;
    return bestP;
  }

  pickSide(sides: readonly number[], view: EngineView, now: number): number {
    let bestS = sides[0]!;
    let bestP = -1;
    for (const side of sides) {
      let pr = 0;
      for (const p of view.structure.barriers[side]!) pr += this.pressure(p, view, now);
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
