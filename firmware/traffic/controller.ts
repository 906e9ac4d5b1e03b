import type { Clock, TimerHandle } from '../../drivers/hal/clock.js';
import type { DigitalIn } from '../../drivers/hal/gpio.js';
import type { SignalHead } from '../../drivers/field/signal-head.js';
import type { FlashTransfer } from './flash-transfer.js';
import { type DetectorSpec, type EngineEvent, type EngineListener, type EngineOptions, type EngineSnapshot, PhaseEngine } from './phase-engine.js';
import type { Plan } from './plan.js';
import { createStrategy } from './strategies/index.js';
import type { Structure } from './structure.js';

/**
 * The live controller: a PhaseEngine stepped from a Clock, detector inputs feeding it, and its
 * indications written to signal heads. Lamps change only inside `tick`, from engine events.
 * Start-up flash goes through the flash transfer when one is given (so the conflict monitor
 * knows the cabinet is in flash); pedestrian flashing don't-walk is timed here at 1 Hz.
 */
export interface ControllerDetector extends DetectorSpec {
  readonly input: DigitalIn;
}

export interface ControllerOptions {
  readonly clock: Clock;
  readonly structure: Structure;
  readonly plan: Plan;
  /** Heads by phase; their outputs should be the flash transfer's gated outputs. */
  readonly heads: ReadonlyMap<number, SignalHead>;
  readonly detectors?: readonly ControllerDetector[];
  readonly transfer?: FlashTransfer;
  /** The watchdog line to the conflict monitor, called every tick. */
  readonly heartbeat?: () => void;
  readonly tickMs?: number;
  readonly startupFlashMs?: number;
  readonly startupRedMs?: number;
  /** Floors no plan may go below (the monitor's programming), see EngineOptions.floors. */
  readonly floors?: EngineOptions['floors'];
}

/** Why the controller stopped itself: an exception from a strategy, a lamp write (HalError), a listener. */
export type ControllerFaultListener = (error: unknown, tMs: number) => void;

export interface ControllerState {
  readonly running: boolean;
  readonly engine: EngineSnapshot;
}

export class TrafficController {
  readonly engine: PhaseEngine;
  private readonly clock: Clock;
  private readonly heads: ReadonlyMap<number, SignalHead>;
  private readonly transfer: FlashTransfer | undefined;
  private readonly heartbeat: (() => void) | undefined;
  private readonly tickMs: number;
  private readonly detectors: readonly ControllerDetector[];
  private readonly unsub: (() => void)[] = [];
  private timer: TimerHandle | undefined;
  private flashOn = false;
  private fdwPhases = 0; // bitmask of phases in flashing don't-walk
  private faultErr: unknown = null;
  private readonly faultListeners = new Set<ControllerFaultListener>();

  constructor(o: ControllerOptions) {
    this.clock = o.clock;
    this.heads = o.heads;
    this.transfer = o.transfer;
    this.heartbeat = o.heartbeat;
    this.tickMs = o.tickMs ?? 100;
    this.detectors = o.detectors ?? [];
    for (const p of o.structure.phases) if (!o.heads.has(p)) throw new Error(`phase ${p} has no signal head`);
    this.engine = new PhaseEngine(o.structure, o.plan, createStrategy(o.plan.strategy), {
      startupFlashMs: o.startupFlashMs,
      startupRedMs: o.startupRedMs,
      detectors: this.detectors.map(({ channel, phase, maxPresenceMs, noActivityMs, erraticPerMin }) => ({ channel, phase, maxPresenceMs, noActivityMs, erraticPerMin })),
      floors: o.floors,
    });
    this.engine.on((e) => this.apply(e));
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Subscribes to engine events: lamp indications, ped, ATSPM records, mode, detector faults. */
  on(listener: EngineListener): () => void {
    return this.engine.on(listener);
  }

  /**
   * Called when the controller stops itself on an exception: it has stopped stepping and beating
   * (the monitor latches on the heartbeat) and engaged the flash at once.
   */
  onFault(listener: ControllerFaultListener): () => void {
    this.faultListeners.add(listener);
    return () => this.faultListeners.delete(listener);
  }

  /** The exception that stopped the controller, or null. */
  get fault(): unknown {
    return this.faultErr;
  }

  start(): void {
    if (this.timer || this.faultErr) return;
    const now = this.clock.now();
    for (const d of this.detectors) {
      this.unsub.push(
        d.input.onChange((level, t) => {
          if (this.faultErr) return;
          try {
            this.engine.detectorChange(d.channel, level === 1, t);
          } catch (err) {
            this.stopOnFault(err);
          }
        }),
      );
    }
    this.engine.start(now);
    for (const d of this.detectors) if (d.input.read() === 1) this.engine.detectorChange(d.channel, true, now);
    this.heartbeat?.();
    this.timer = this.clock.setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    for (const u of this.unsub.splice(0)) u();
    this.engine.stop(this.clock.now());
  }

  /** After a monitor reset: all red, then service (no start-up flash). */
  restart(): void {
    if (this.faultErr) return;
    try {
      this.engine.start(this.clock.now(), false);
      this.reapply();
    } catch (err) {
      this.stopOnFault(err);
    }
  }

  /**
   * After a controller fault was dealt with: beat again and run (all red first). The lamps stay
   * in the monitor's latched flash until the monitor is reset.
   */
  resume(): void {
    if (!this.faultErr) return;
    this.faultErr = null;
    this.engine.start(this.clock.now(), false);
    this.heartbeat?.();
    this.timer = this.clock.setInterval(() => this.tick(), this.tickMs);
  }

  call(phase: number): void {
    this.engine.placeCall(phase, this.clock.now());
  }

  pedCall(phase: number): void {
    this.engine.pedCall(phase, this.clock.now());
  }

  setPlan(plan: Plan): void {
    this.engine.setPlan(plan, createStrategy(plan.strategy), this.clock.now());
  }

  state(): ControllerState {
    return { running: this.running, engine: this.engine.snapshot() };
  }

  /**
   * One engine step (the timer calls it; the runtime also calls it right after a detector edge).
   * Nothing escapes: an exception (a strategy bug, a HalError from a lamp write, a listener)
   * stops the controller in the safe state instead of unwinding into a Node timer.
   */
  tick(): void {
    if (this.faultErr) return;
    try {
      const now = this.clock.now();
      this.engine.step(now);
      if (this.fdwPhases !== 0 && now % 1000 < this.tickMs) this.toggleFdw(true);
      else if (this.fdwPhases !== 0 && now % 1000 >= 500 && now % 1000 < 500 + this.tickMs) this.toggleFdw(false);
      if (this.engine.currentMode === 'startup-flash' && !this.transfer) this.flashHeads(now);
      this.heartbeat?.();
    } catch (err) {
      this.stopOnFault(err);
    }
  }

  /**
   * The engine may be half way through a change, so it must not drive again: stop stepping and
   * beating (the monitor latches on the lost heartbeat and reports it) and flash at once.
   */
  private stopOnFault(err: unknown): void {
    if (this.faultErr) return;
    this.faultErr = err;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.transfer?.engage('monitor');
    const t = this.clock.now();
    for (const l of this.faultListeners) {
      try {
        l(err, t);
      } catch {
        // already in the safe state
      }
    }
  }

  private apply(e: EngineEvent): void {
    if (e.type === 'indication') {
      const head = this.heads.get(e.phase)!;
      if (e.indication === 'flash-red') {
        if (this.transfer) this.transfer.engage('startup');
        else head.set('red');
        return;
      }
      if (this.transfer?.source === 'startup') this.transfer.release('startup');
      head.set(e.indication === 'dark' ? 'dark' : e.indication);
    } else if (e.type === 'ped') {
      const head = this.heads.get(e.phase)!;
      const bit = 1 << e.phase;
      if (e.ped === 'fdw') {
        this.fdwPhases |= bit;
        head.setPed('dont-walk');
      } else {
        this.fdwPhases &= ~bit;
        head.setPed(e.ped === 'walk' ? 'walk' : e.ped === 'dont-walk' ? 'dont-walk' : 'dark');
      }
    }
  }

  private toggleFdw(on: boolean): void {
    for (const [p, head] of this.heads) if (this.fdwPhases & (1 << p)) head.setPed(on ? 'dont-walk' : 'dark');
  }

  /** Start-up flash without a flash transfer (bench wiring): the heads flash red themselves. */
  private flashHeads(now: number): void {
    const on = now % 1000 < 500;
    if (on === this.flashOn) return;
    this.flashOn = on;
    for (const p of this.engine.structure.phases) this.heads.get(p)!.set(on ? 'red' : 'dark');
  }

  private reapply(): void {
    for (const p of this.engine.structure.phases) {
      const ind = this.engine.indication(p);
      if (ind === 'flash-red') continue;
      this.heads.get(p)!.set(ind);
    }
  }
}

export function createController(o: ControllerOptions): TrafficController {
  return new TrafficController(o);
}
