import type { Clock } from '../../drivers/hal/clock.js';
import type { GpioBackend } from '../../drivers/hal/backend.js';
import type { PinRef } from '../../drivers/hal/gpio.js';
import { LoopDetector, loopOptionsFromSite } from '../../drivers/field/loop-detector.js';
import { SignalHead } from '../../drivers/field/signal-head.js';
import type { Site } from '../site/schema.js';
import type { Indication, PhaseView } from '../status/snapshot.js';
import type { IntersectionPart } from './parts.js';

/**
 * What the runtime needs from a traffic controller (firmware/traffic) and from the conflict
 * monitor, kept this small so the adapter below is the only place that knows them.
 */
export interface ControllerPort {
  /** One step at `now`: timing decisions and lamp commands through the heads it was given. */
  step(now: number): void;
  /** A detector on `phase` went occupied / unoccupied at `tMs`. */
  detector(phase: number, occupied: boolean, tMs: number): void;
  /** A detector of `phase` failed (stuck-on, no-activity) or recovered. */
  detectorFault(phase: number, failed: boolean, tMs: number): void;
  describe(): Record<string, unknown>;
}

export interface MonitorPort {
  /** Checks the lamp outputs (read back); false once tripped. */
  check(now: number): boolean;
  readonly tripped: boolean;
  readonly reason: string | null;
}

export type ControllerFactory = (heads: ReadonlyMap<number, SignalHead>, clock: Clock) => { controller: ControllerPort; monitor: MonitorPort };

const CODE_DARK = 0;
const CODE_RED = 1;
const CODE_YELLOW = 2;
const CODE_GREEN = 3;
const CODE_MULTI = 9;
const FLASH_HALF_MS = 500;

/**
 * The intersection as the runtime sees it: one signal head per phase on the lamp outputs, a
 * loop detector per detector input, the controller and the conflict monitor. Also owns the
 * safe state: all-red flash, run from the control loop's tick so it keeps flashing while the
 * runtime shuts down. Without a controller it starts in the safe state and says why.
 */
export class Intersection implements IntersectionPart {
  readonly phases: number[];
  readonly heads = new Map<number, SignalHead>();
  readonly loops: { phase: number; loop: LoopDetector; name: string }[] = [];
  onPhaseChange: ((phase: number, indication: string, tMs: number) => void) | null = null;
  onFault: ((source: string, message: string, tMs: number) => void) | null = null;
  readonly counters = { phaseChanges: 0, monitorTrips: 0 };
  /** Last seen indication code per phase (index = phase number). */
  private readonly shown = new Uint8Array(9);
  private readonly calls = new Uint8Array(9);
  private safe: string | null = null;
  private flashOn = false;
  private nextFlash = 0;
  private controller: ControllerPort | null = null;
  private monitorPort: MonitorPort | null = null;
  private wasTripped = false;
  /** When each phase's last detector edge arrived (hr ms), for the edge → lamp latency bench. */
  readonly lastEdgeHr = new Float64Array(9);

  constructor(
    private readonly site: Site,
    private readonly gpio: GpioBackend,
    private readonly clock: Clock,
    pinRef: (pin: number) => PinRef,
    factory: ControllerFactory | null,
    private readonly missingReason: string | null = null,
  ) {
    const activeLow = site.lamps.active_low;
    for (const [key, h] of Object.entries(site.lamps.phases)) {
      const phase = Number(key);
      const out = (pin: number) => gpio.output(pinRef(pin), { activeLow, initial: 0 });
      const head = new SignalHead({
        red: out(h.red),
        yellow: out(h.yellow),
        green: out(h.green),
        ...(h.walk !== undefined ? { walk: out(h.walk) } : {}),
        ...(h.dont_walk !== undefined ? { dontWalk: out(h.dont_walk) } : {}),
      });
      this.heads.set(phase, head);
    }
    this.phases = [...this.heads.keys()].sort((a, b) => a - b);
    for (const d of site.detectors) {
      const input = gpio.input(pinRef(d.pin), { activeLow: d.active_low, debounceMs: d.debounce_ms });
      const loop = new LoopDetector(input, clock, loopOptionsFromSite(d));
      const name = d.name ?? `loop-${d.phase}@${d.pin}`;
      loop.on('presence', (on, t) => this.presence(d.phase, on, t));
      loop.on('fault', (kind, t) => {
        this.controller?.detectorFault(d.phase, true, t);
        this.onFault?.(name, `detector ${kind} on phase ${d.phase}`, t);
      });
      loop.on('restored', (t) => this.controller?.detectorFault(d.phase, false, t));
      this.loops.push({ phase: d.phase, loop, name });
    }
    if (factory) {
      const built = factory(this.heads, clock);
      this.controller = built.controller;
      this.monitorPort = built.monitor;
    }
    for (const h of this.heads.values()) h.set('red'); // start from all red, then the controller takes over
    if (!this.controller) this.safeState(missingReason ?? 'no traffic controller');
  }

  /**
   * A detector edge runs a control step at once (not at the next tick), so a call that ends a
   * green reaches the lamps within the same event-loop turn.
   */
  private presence(phase: number, on: boolean, t: number): void {
    this.lastEdgeHr[phase] = performance.now();
    this.calls[phase] = on ? 1 : 0;
    if (this.safe || !this.controller) return;
    this.controller.detector(phase, on, t);
    this.step(this.clock.now());
  }

  step(now: number): void {
    if (this.safe) {
      if (now >= this.nextFlash) {
        this.flashOn = !this.flashOn;
        this.nextFlash = now + FLASH_HALF_MS;
        for (const h of this.heads.values()) h.set(this.flashOn ? 'red' : 'dark');
      }
    } else if (this.controller) {
      this.controller.step(now);
      if (this.monitorPort && !this.monitorPort.check(now)) this.trip(now);
    }
    this.scan(now);
  }

  private trip(now: number): void {
    if (this.wasTripped) return;
    this.wasTripped = true;
    this.counters.monitorTrips++;
    const reason = this.monitorPort?.reason ?? 'conflict monitor tripped';
    this.onFault?.('monitor', reason, now);
    this.safeState(reason);
  }

  /** Phase changes from the outputs' read-back (what the lamps show, not what was meant). */
  private scan(now: number): void {
    for (const [phase, head] of this.heads) {
      const o = head.outputs;
      const r = o.red.read();
      const y = o.yellow.read();
      const g = o.green.read();
      const code = r + y + g > 1 ? CODE_MULTI : g ? CODE_GREEN : y ? CODE_YELLOW : r ? CODE_RED : CODE_DARK;
      if (code === this.shown[phase]) continue;
      this.shown[phase] = code;
      if (this.safe) continue; // the flash is one state, not a change per blink
      this.counters.phaseChanges++;
      this.onPhaseChange?.(phase, indicationName(code), now);
    }
  }

  monitorHealthy(): boolean {
    if (!this.monitorPort) return false;
    return !this.monitorPort.tripped && !this.safe;
  }

  monitor(): { healthy: boolean; tripped: boolean; reason: string | null } {
    if (!this.monitorPort) return { healthy: false, tripped: false, reason: this.safe ?? 'no conflict monitor' };
    return { healthy: this.monitorHealthy(), tripped: this.monitorPort.tripped, reason: this.monitorPort.reason ?? this.safe };
  }

  view(): PhaseView[] {
    return this.phases.map((phase) => {
      const head = this.heads.get(phase)!;
      const rb = head.readback();
      let indication: Indication = rb.indication === 'multiple' ? 'red' : rb.indication;
      if (this.safe) indication = 'flash-red';
      const walk = rb.walk === null ? undefined : rb.walk ? 'walk' : rb.dontWalk ? 'dont-walk' : 'dark';
      return {
        phase,
        indication,
        lamps: { red: rb.red === 1, yellow: rb.yellow === 1, green: rb.green === 1 },
        ...(walk ? { walk: walk as PhaseView['walk'] } : {}),
        call: this.calls[phase] === 1,
      };
    });
  }

  describe(): Record<string, unknown> {
    const d: Record<string, unknown> = this.controller ? this.controller.describe() : {};
    if (this.safe) d.mode = `all-red flash (${this.safe})`;
    return d;
  }

  safeState(reason: string): void {
    if (this.safe) return;
    this.safe = reason;
    this.nextFlash = 0;
    this.flashOn = false;
    this.step(this.clock.now());
  }

  get inSafeState(): string | null {
    return this.safe;
  }

  close(): void {
    for (const l of this.loops) l.loop.close();
    for (const h of this.heads.values()) h.close();
  }
}

function indicationName(code: number): Indication | 'multiple' {
  switch (code) {
    case CODE_RED:
      return 'red';
    case CODE_YELLOW:
      return 'yellow';
    case CODE_GREEN:
      return 'green';
    case CODE_MULTI:
      return 'multiple';
    default:
      return 'dark';
  }
}
