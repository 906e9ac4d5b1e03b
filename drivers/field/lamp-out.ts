import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../hal/clock.js';

/**
 * Lamp-out detection for one signal head whose lamp circuit runs through a current sensor
 * (an INA219 on the head's common feed). A lamp that is commanded on but draws (almost) no
 * current has failed: a burnt-out bulb, a dead LED module, an open load switch. A red lamp out
 * is the dangerous case (the approach shows dark), so the fault names phase and lamp.
 *
 * The sensor measures the head's total, so the check is per set of lit lamps: with
 * red + don't-walk lit, at least `thresholdA` per lit lamp must flow. When several lamps are lit
 * the fault names them all ("red+dont-walk"): one sensor cannot tell which one failed.
 * It depends only on two functions, so it works with any current source (the INA219 driver,
 * the simulator, a test) and any head (`commandedMask` of a SignalHead, or a fixed mask).
 */
export const LAMP = { red: 1, yellow: 2, green: 4, walk: 8, 'dont-walk': 16 } as const;
export type LampName = keyof typeof LAMP;
const NAMES = Object.keys(LAMP) as LampName[];

export function lampNames(mask: number): LampName[] {
  return NAMES.filter((n) => (mask & LAMP[n]) !== 0);
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

export interface LampOutEvent {
  readonly phase: number;
  /** The lit lamp(s), e.g. `red` or `red+dont-walk`. */
  readonly lamp: string;
  readonly lamps: readonly LampName[];
  /** The current measured, A. */
  readonly amps: number;
  readonly tMs: number;
}

export interface LampOutEvents {
  fault: [LampOutEvent];
  recovered: [LampOutEvent];
}

export interface LampOutOptions {
  readonly phase: number;
  /** Which lamps are commanded on now, as a LAMP bit mask. */
  readonly commanded: () => number;
  /** The head's lamp-circuit current in A, or null when the sensor has no fresh reading. */
  readonly amps: () => number | null;
  /**
   * Clock time the current was measured (e.g. the sampling Sensor's `lastGoodMs`). When given,
   * a reading taken before the commanded lamps changed (plus `settleMs`) is not judged, so the
   * previous lamp's current is never charged to the new one. Without it, `settleMs` must cover
   * the sensor's sampling period.
   */
  readonly readingAt?: () => number;
  /** Minimum current per lit lamp, A (site-configurable; LED heads draw ~0.1-0.5 A, a dead one ~0). Default 0.05. */
  readonly thresholdA?: number;
  /**
   * Sampling period for `start()`, ms. A lamp that fails while lit is reported at the next
   * sample (within one period); a lamp dead when switched on, within one period + `settleMs`.
   * Default 100.
   */
  readonly periodMs?: number;
  /**
   * Samples taken within this long after the commanded lamps changed are not judged: the
   * current lags a load switch by a mains half-cycle or two. Default 50 ms.
   */
  readonly settleMs?: number;
}

export class LampOutMonitor extends EventEmitter<LampOutEvents> {
  readonly phase: number;
  private readonly thresholdA: number;
  private readonly periodMs: number;
  private readonly settleMs: number;
  private lastMask = -1;
  private changedAt = 0;
  /** Lamp sets (masks) currently in lamp-out. */
  private readonly faulted = new Set<number>();
  private timer: TimerHandle | undefined;
  private readonly tick = (): void => this.sample();

  constructor(
    private readonly clock: Clock,
    private readonly options: LampOutOptions,
  ) {
    super();
    this.phase = options.phase;
    this.thresholdA = options.thresholdA ?? 0.05;
    this.periodMs = options.periodMs ?? 100;
    this.settleMs = options.settleMs ?? 50;
    if (!(this.thresholdA > 0)) throw new RangeError(`lamp-out threshold must be > 0 A, got ${this.thresholdA}`);
    if (!(this.periodMs >= 1)) throw new RangeError(`lamp-out period must be >= 1 ms, got ${this.periodMs}`);
  }

  /** Samples every `periodMs` on the clock. */
  start(): void {
    this.timer ??= this.clock.setInterval(this.tick, this.periodMs);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Lamps (by set) currently out, e.g. [['red']]. */
  get faults(): LampName[][] {
    return [...this.faulted].map(lampNames);
  }

  /** One check now (call it after each current reading when a scheduler drives the sensor). */
  sample(): void {
    const now = this.clock.now();
    const mask = this.options.commanded();
    if (mask !== this.lastMask) {
      this.lastMask = mask;
      this.changedAt = now;
      if (this.settleMs > 0) {
        // Judge the new lamps as soon as they have settled rather than a whole period later.
        if (this.timer) this.clock.setTimeout(this.tick, this.settleMs);
        return;
      }
    }
    if (now - this.changedAt < this.settleMs) return;
    if (mask === 0) return; // dark head: nothing should draw, nothing to judge
    const at = this.options.readingAt?.();
    if (at !== undefined && at < this.changedAt + this.settleMs) return; // measured before the change
    const amps = this.options.amps();
    if (amps === null || !Number.isFinite(amps)) return; // stale sensor: no verdict either way
    const low = amps < this.thresholdA * popcount(mask);
    if (low && !this.faulted.has(mask)) {
      this.faulted.add(mask);
      this.emit('fault', this.event(mask, amps, now));
    } else if (!low && this.faulted.has(mask)) {
      this.faulted.delete(mask);
      this.emit('recovered', this.event(mask, amps, now));
    }
  }

  private event(mask: number, amps: number, tMs: number): LampOutEvent {
    const lamps = lampNames(mask);
    return { phase: this.phase, lamp: lamps.join('+'), lamps, amps, tMs };
  }
}

/** The commanded-lamps function for a signal head (SignalHead from drivers/field/signal-head.ts). */
export function commandedMask(head: { readonly commanded: string; readonly commandedPed: string }): () => number {
  return () => {
    const v = head.commanded;
    const p = head.commandedPed;
    return (
      (v === 'red' ? LAMP.red : v === 'yellow' ? LAMP.yellow : v === 'green' ? LAMP.green : 0) |
      (p === 'walk' ? LAMP.walk : p === 'dont-walk' ? LAMP['dont-walk'] : 0)
    );
  };
}
