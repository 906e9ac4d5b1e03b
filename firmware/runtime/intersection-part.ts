import type { GpioBackend } from '../../drivers/hal/backend.js';
import type { Clock } from '../../drivers/hal/clock.js';
import type { DigitalIn, DigitalOut, InputOptions, OutputOptions, PinRef } from '../../drivers/hal/gpio.js';
import { LoopDetector, loopOptionsFromSite } from '../../drivers/field/loop-detector.js';
import { buildCabinet, type Cabinet as TrafficCabinet } from '../traffic/cabinet.js';
import { planFromSection } from '../traffic/site-plan.js';
import type { ControllerSection } from '../site/sections/controller.js';
import type { Site } from '../site/schema.js';
import type { Indication, PhaseView } from '../status/snapshot.js';
import { LagHistogram } from './lag-histogram.js';
import type { IntersectionPart } from './parts.js';
import { loopNames } from '../site/loop-names.js';

/**
 * The intersection as the runtime sees it: firmware/traffic's cabinet (signal heads, flash
 * transfer, controller, conflict monitor, detector inputs) behind the IntersectionPart seam.
 *
 * Two things are added around it, through a thin wrapper of the GPIO backend it is built on:
 * - a detector edge runs a controller tick at once, after the engine has seen the edge, so a
 *   call that ends a green reaches the lamps in the same event-loop turn instead of waiting
 *   for the next controller tick (`edgeToLamp` measures that, on the real output writes);
 * - each detector input is also watched by a LoopDetector (drivers/field) for the occupancy
 *   streams the anomaly detectors score.
 */
export class Intersection implements IntersectionPart {
  readonly traffic: TrafficCabinet;
  readonly phases: number[];
  readonly loops: { phase: number; name: string; loop: LoopDetector }[] = [];
  onPhaseChange: ((phase: number, indication: string, tMs: number) => void) | null = null;
  onFault: ((source: string, message: string, tMs: number) => void) | null = null;
  readonly counters = { phaseChanges: 0, monitorTrips: 0 };
  /** Detector edge → first lamp output write it caused, ms (performance.now). */
  readonly edgeToLamp = new LagHistogram(16384);
  /** Detector edge → end of the controller tick it triggered (whether or not a lamp changed), ms. */
  readonly edgeToTick = new LagHistogram(16384);
  private edgeHr = -1;
  private edgeHr0 = 0;
  private inEdge = false;
  private safe: string | null = null;
  private readonly calls = new Uint8Array(9);
  private readonly detectedPhases: number[];
  /** The controller section the timing plan now comes from (the site's, until a remote set-plan). */
  planSection: ControllerSection;

  constructor(
    site: Site,
    gpio: GpioBackend,
    private readonly clock: Clock,
    pinRef: (pin: number) => PinRef,
  ) {
    const inputs = new Map<number, DigitalIn>();
    const self = this;
    // The controller's lamp writes and detector edges pass through here (see class comment).
    const wrapped: GpioBackend = {
      name: gpio.name,
      output(ref: PinRef, options?: OutputOptions): DigitalOut {
        const out = gpio.output(pinRef(ref.pin), options);
        return {
          ref: out.ref,
          readbackIsReal: out.readbackIsReal,
          write(level) {
            if (self.inEdge && self.edgeHr >= 0 && out.read() !== level) {
              self.edgeToLamp.observe(performance.now() - self.edgeHr);
              self.edgeHr = -1; // first write per edge
            }
            out.write(level);
          },
          read: () => out.read(),
          close: () => out.close(),
        };
      },
      input(ref: PinRef, options?: InputOptions): DigitalIn {
        const inp = gpio.input(pinRef(ref.pin), options);
        inputs.set(ref.pin, inp);
        return {
          ref: inp.ref,
          read: () => inp.read(),
          onChange: (listener) =>
            inp.onChange((level, t) => {
              listener(level, t);
              self.afterEdge();
            }),
          close: () => inp.close(),
        };
      },
      close: () => gpio.close(),
    };
    this.traffic = buildCabinet({ clock, gpio: wrapped, lamps: site.lamps, detectors: site.detectors, controller: site.controller });
    this.phases = [...this.traffic.heads.keys()].sort((a, b) => a - b);
    this.detectedPhases = site.detectors.map((d) => d.phase);
    this.planSection = this.traffic.resolved.section;
    this.traffic.controller.on((e) => {
      if (e.type === 'indication') {
        if (this.safe) return;
        this.counters.phaseChanges++;
        this.onPhaseChange?.(e.phase, e.indication, e.t);
      } else if (e.type === 'detector-fault') {
        if (e.fault === 'restored') return;
        this.onFault?.(`detector ${e.channel}`, `${e.fault} on phase ${e.phase}`, e.t);
      }
    });
    this.traffic.monitor.onTrip((trip) => {
      this.counters.monitorTrips++;
      this.onFault?.('monitor', `${trip.fault}: ${trip.reason}`, trip.t);
    });
    const names = loopNames(site.detectors);
    site.detectors.forEach((d, i) => {
      const inp = inputs.get(d.pin);
      if (!inp) return;
      const loop = new LoopDetector(inp, clock, loopOptionsFromSite(d));
      loop.on('presence', (on) => (this.calls[d.phase] = on ? 1 : 0));
      this.loops.push({ phase: d.phase, name: names[i]!, loop });
    });
  }

  /**
   * Starts the controller (in its start-up flash) and the conflict monitor. Called once the rest
   * of the runtime is up: while startCabinet still loads modules and spawns threads the control
   * thread can stall for longer than the monitor's heartbeat timeout, which would trip it.
   */
  start(): void {
    if (!this.traffic.controller.running) this.traffic.start();
  }

  private afterEdge(): void {
    if (this.safe || !this.traffic.controller.running) return;
    this.edgeHr = performance.now();
    this.edgeHr0 = this.edgeHr;
    this.inEdge = true;
    try {
      this.traffic.controller.tick();
    } finally {
      this.edgeToTick.observe(performance.now() - this.edgeHr0);
      this.inEdge = false;
      this.edgeHr = -1;
    }
  }

  /** The controller and monitor run on their own clock timers; the runtime tick has nothing to add. */
  step(_now: number): void {}

  monitorHealthy(): boolean {
    return !this.traffic.monitor.tripped && this.traffic.monitor.state().running && this.safe === null;
  }

  monitor(): { healthy: boolean; tripped: boolean; reason: string | null } {
    const s = this.traffic.monitor.state();
    return { healthy: this.monitorHealthy(), tripped: s.tripped, reason: s.trip ? `${s.trip.fault}: ${s.trip.reason}` : this.safe };
  }

  view(): PhaseView[] {
    const engine = this.traffic.controller.engine;
    const flashing = this.traffic.transfer.engaged;
    return this.phases.map((phase) => {
      const rb = this.traffic.heads.get(phase)!.readback();
      const ind = engine.indication(phase);
      const indication: Indication = flashing ? 'flash-red' : ind;
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
    const e = this.traffic.controller.engine;
    const flash = this.traffic.transfer.source;
    return {
      mode: this.safe ? `all-red flash (${this.safe})` : flash ? `${e.currentMode}, flash (${flash})` : e.currentMode,
      strategy: this.traffic.controller.engine.strategyType,
      pattern: this.traffic.controller.engine.currentPlan.pattern,
    };
  }

  /**
   * A new timing plan (a complete, validated controller section with this cabinet's structure).
   * The engine checks it against the structure and its floors (the monitor's red clearance)
   * and takes it at its next decision: a running yellow or red clearance is never shortened.
   * Throws, with the field, if the plan does not fit; then nothing changes.
   */
  setPlan(section: ControllerSection): { strategy: string; pattern: number } {
    if (this.safe) throw new Error(`the cabinet is stopping (${this.safe})`);
    let plan;
    try {
      plan = planFromSection(section, this.traffic.resolved.structure, this.detectedPhases);
      this.traffic.controller.setPlan(plan);
    } catch (err) {
      throw new Error((err as Error).message.replace(/^controller\./, 'plan.'));
    }
    this.planSection = section;
    return { strategy: plan.strategy.type, pattern: plan.pattern };
  }

  /**
   * Operator reset of a latched monitor flash: refused, with the reason, while the fault is still
   * there (the monitor checks the lamp outputs), or while the runtime holds its own safe state.
   */
  resetMonitor(): { cleared: boolean; reason?: string } {
    if (this.safe) return { cleared: false, reason: `the cabinet is in its own safe state (${this.safe})` };
    const r = this.traffic.monitor.reset();
    return r.ok ? { cleared: true } : { cleared: false, reason: r.reason };
  }

  /**
   * All-red flash through the cabinet's flash transfer (latched like a monitor fault), then the
   * controller and monitor stop: the flasher keeps the reds flashing on its own timer.
   */
  safeState(reason: string): void {
    if (this.safe) return;
    this.safe = reason;
    this.traffic.transfer.engage('monitor');
    this.traffic.controller.stop();
    this.traffic.monitor.stop();
  }

  get inSafeState(): string | null {
    return this.safe;
  }

  close(): void {
    for (const l of this.loops) l.loop.close();
    this.traffic.stop();
    for (const h of this.traffic.heads.values()) h.close();
  }
}
