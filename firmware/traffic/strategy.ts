import type { PhaseTiming, StrategyType } from './plan.js';
import type { Structure } from './structure.js';

/**
 * What a strategy may look at: the engine's state, read only. Times are integer ms on the
 * engine's clock. Counts are monotonic (vehicle actuations on counting detectors).
 */
export interface EngineView {
  readonly structure: Structure;
  timing(phase: number): PhaseTiming;
  /** The phase has a vehicle or pedestrian call, a recall, or a failed detector (degraded recall). */
  demand(phase: number): boolean;
  /** A working detector of the phase is occupied now. */
  occupied(phase: number): boolean;
  /** Time the phase's detectors last went unoccupied (-Infinity if never). */
  lastOff(phase: number): number;
  /** Vehicle actuations counted on the phase so far (monotonic). */
  arrivals(phase: number): number;
  isGreen(phase: number): boolean;
  /** Start of the phase's current or last green (-Infinity if never). */
  greenStart(phase: number): number;
  /** Start of the phase's last yellow (end of its last green), -Infinity if never. */
  greenEnd(phase: number): number;
  /**
   * Since when the phase has had demand without a green (the first engine step that saw it),
   * -1 when it has none or is green. The engine keeps it across plan changes, so a strategy's
   * bound on waiting holds through a time-of-day plan switch (a new strategy object).
   */
  waitingSince(phase: number): number;
}

/**
 * A strategy chooses what to serve next and how long to hold a green; it never changes a lamp.
 * The engine calls `extend` only once min green has passed, ends the green at max green anyway
 * when another phase waits, times yellow and red clearance itself, and checks compatibility.
 */
export interface Strategy {
  readonly type: StrategyType;
  /** ATSPM code reported when this strategy ends a green before max: 4 Gap Out or 6 Force Off. */
  readonly endCode: 4 | 6;
  /** Called every engine step (before decisions): take measurements here. */
  observe(view: EngineView, now: number): void;
  /** Phase `phase` is green past its min green: true keeps it green. */
  extend(phase: number, elapsedMs: number, view: EngineView, now: number): boolean;
  /** Which of `candidates` (same ring, same side, with demand, not yet served this pass) to serve next. */
  pickNext(candidates: readonly number[], view: EngineView, now: number): number;
  /** Which barrier side to cross to, from `sides` (those with demand, in service order). */
  pickSide(sides: readonly number[], view: EngineView, now: number): number;
  onGreenStart(phase: number, view: EngineView, now: number): void;
  onGreenEnd(phase: number, view: EngineView, now: number): void;
}

/** Base with NEMA's default choices: serve in ring order, next side in order. */
export abstract class RingOrderStrategy implements Strategy {
  abstract readonly type: StrategyType;
  abstract readonly endCode: 4 | 6;
  observe(_view: EngineView, _now: number): void {}
  abstract extend(phase: number, elapsedMs: number, view: EngineView, now: number): boolean;
  pickNext(candidates: readonly number[]): number {
    return candidates[0]!;
  }
  pickSide(sides: readonly number[]): number {
    return sides[0]!;
  }
  onGreenStart(_phase: number, _view: EngineView, _now: number): void {}
  onGreenEnd(_phase: number, _view: EngineView, _now: number): void {}
}
