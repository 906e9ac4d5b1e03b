import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../hal/clock.js';
import type { DigitalIn, Level } from '../hal/gpio.js';

/**
 * An inductive-loop detector input (the detector card's output on a DigitalIn). Debounce is the
 * input's (InputOptions.debounceMs), so edge times here are the times a level became stable.
 *
 * What it gives the controller and the counts/occupancy pipeline:
 * - presence (a vehicle over the loop) and vehicle counts (rising edges);
 * - occupancy per interval: the fraction of the interval the loop was occupied, computed
 *   exactly from edge times (not from sampling);
 * - NEMA-style diagnostics: `stuck-on` when presence lasts longer than `maxPresenceMs`
 *   (a failed card or a parked car), `no-activity` when no vehicle arrives for `noActivityMs`
 *   (a broken loop lead). A fault clears itself (`restored`) on the next edge that contradicts it.
 *   While faulted the controller should place a constant call for the phase; that policy is its.
 */
export type LoopFaultKind = 'stuck-on' | 'no-activity';

export interface LoopDetectorEvents {
  presence: [on: boolean, tMs: number];
  fault: [kind: LoopFaultKind, tMs: number];
  restored: [tMs: number];
}

export interface LoopDetectorOptions {
  /** Presence longer than this is a stuck-on fault (site: max_presence_s). */
  readonly maxPresenceMs: number;
  /** No vehicle for longer than this is a no-activity fault (site: no_activity_s). */
  readonly noActivityMs: number;
}

export interface LoopIntervalStats {
  /** Vehicles that arrived (rising edges) in the interval. */
  count: number;
  /** Fraction of the interval the loop was occupied, 0..1. */
  occupancy: number;
  /** Interval length in ms (from the previous `intervalStats()` call or construction). */
  intervalMs: number;
}

export class LoopDetector extends EventEmitter<LoopDetectorEvents> {
  private present: boolean;
  private onSince: number;
  private intervalStart: number;
  private occupiedMs = 0;
  private count = 0;
  private totalCount = 0;
  private faultKind: LoopFaultKind | null = null;
  private stuckTimer: TimerHandle | undefined;
  private silentTimer: TimerHandle | undefined;
  private readonly unsubscribe: () => void;
  // Bound once: edges and timers do not allocate closures.
  private readonly onStuck = (): void => this.raise('stuck-on');
  private readonly onSilent = (): void => this.raise('no-activity');

  constructor(
    private readonly input: DigitalIn,
    private readonly clock: Clock,
    private readonly options: LoopDetectorOptions,
  ) {
    super();
    if (!(options.maxPresenceMs > 0) || !(options.noActivityMs > 0)) {
      throw new RangeError(`loop detector times must be > 0 ms (maxPresenceMs ${options.maxPresenceMs}, noActivityMs ${options.noActivityMs})`);
    }
    const now = clock.now();
    this.present = input.read() === 1;
    this.onSince = now;
    this.intervalStart = now;
    if (this.present) this.stuckTimer = clock.setTimeout(this.onStuck, options.maxPresenceMs);
    else this.silentTimer = clock.setTimeout(this.onSilent, options.noActivityMs);
    this.unsubscribe = input.onChange((level, t) => this.edge(level, t));
  }

  /** A vehicle is over the loop now. */
  get presence(): boolean {
    return this.present;
  }

  /** The active diagnostic fault, or null. */
  get fault(): LoopFaultKind | null {
    return this.faultKind;
  }

  /** Vehicles counted since construction. */
  get total(): number {
    return this.totalCount;
  }

  /** Count and occupancy since the previous call (or construction), then starts a new interval at `now`. */
  intervalStats(): LoopIntervalStats {
    const now = this.clock.now();
    let occupied = this.occupiedMs;
    if (this.present) occupied += now - Math.max(this.onSince, this.intervalStart);
    const intervalMs = now - this.intervalStart;
    const stats = { count: this.count, occupancy: intervalMs > 0 ? occupied / intervalMs : this.present ? 1 : 0, intervalMs };
    this.intervalStart = now;
    this.occupiedMs = 0;
    this.count = 0;
    return stats;
  }

  close(): void {
    this.unsubscribe();
    this.clock.clearTimer(this.stuckTimer);
    this.clock.clearTimer(this.silentTimer);
    this.stuckTimer = this.silentTimer = undefined;
    this.removeAllListeners();
  }

  private edge(level: Level, t: number): void {
    const on = level === 1;
    if (on === this.present) return;
    this.present = on;
    // Timers run from the edge's time, which can be a little before now when the input debounced.
    const late = Math.max(0, this.clock.now() - t);
    if (on) {
      this.onSince = t;
      this.count++;
      this.totalCount++;
      this.clock.clearTimer(this.silentTimer);
      this.silentTimer = undefined;
      this.stuckTimer = this.clock.setTimeout(this.onStuck, Math.max(1, this.options.maxPresenceMs - late));
    } else {
      this.occupiedMs += t - Math.max(this.onSince, this.intervalStart);
      this.clock.clearTimer(this.stuckTimer);
      this.stuckTimer = undefined;
      this.silentTimer = this.clock.setTimeout(this.onSilent, Math.max(1, this.options.noActivityMs - late));
    }
    this.emit('presence', on, t);
    // A vehicle arriving ends no-activity; presence ending ends stuck-on.
    if ((this.faultKind === 'no-activity' && on) || (this.faultKind === 'stuck-on' && !on)) {
      this.faultKind = null;
      this.emit('restored', t);
    }
  }

  private raise(kind: LoopFaultKind): void {
    if (kind === 'stuck-on') this.stuckTimer = undefined;
    else this.silentTimer = undefined;
    if (this.faultKind === kind) return;
    this.faultKind = kind;
    this.emit('fault', kind, this.clock.now());
  }
}

/** Site-file detector (seconds, snake_case) → options. */
export function loopOptionsFromSite(d: { max_presence_s: number; no_activity_s: number }): LoopDetectorOptions {
  return { maxPresenceMs: Math.round(d.max_presence_s * 1000), noActivityMs: Math.round(d.no_activity_s * 1000) };
}
