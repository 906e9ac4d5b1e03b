import type { GpioBackend } from '../../drivers/hal/backend.js';
import type { Clock } from '../../drivers/hal/clock.js';
import type { DigitalOut } from '../../drivers/hal/gpio.js';
import { SignalHead } from '../../drivers/field/signal-head.js';
import type { ControllerSection, ControllerSectionInput } from '../site/sections/controller.js';
import type { DetectorInput, LampHead } from '../site/schema.js';
import { ATSPM } from './atspm-codes.js';
import { ConflictMonitor } from './conflict-monitor.js';
import { type ControllerDetector, TrafficController } from './controller.js';
import { type FlashChannel, FlashTransfer } from './flash-transfer.js';
import { FLASH_STATUS } from './phase-engine.js';
import { monitorCompatible, ms, resolveController, type ResolvedController } from './site-plan.js';

/**
 * A whole signal cabinet wired from a site file: lamp outputs, the flash transfer, the signal
 * heads the controller drives (through the transfer's gate), detector inputs, the controller
 * and the conflict monitor (which reads the raw outputs). A monitor reset restarts the
 * controller in all-red. The runtime and the simulator both build their cabinet here.
 */
export const ERRATIC_PER_MIN = 70;

export interface CabinetOptions {
  /** Clock of the monitor and the flasher (the cabinet's own hardware). */
  readonly clock: Clock;
  /** Clock of the controller, default `clock` (the simulator stalls it to model a hung controller). */
  readonly controllerClock?: Clock;
  readonly gpio: GpioBackend;
  readonly lamps: { readonly active_low?: boolean; readonly phases: Readonly<Record<string, LampHead>> };
  readonly detectors?: readonly DetectorInput[];
  readonly controller?: ControllerSectionInput | ControllerSection;
}

export interface Cabinet {
  readonly resolved: ResolvedController;
  readonly controller: TrafficController;
  readonly monitor: ConflictMonitor;
  readonly transfer: FlashTransfer;
  /** Heads on the raw outputs, by phase (readback; do not drive them). */
  readonly heads: ReadonlyMap<number, SignalHead>;
  /** Detector channel → phase (channel = position in the site's detector list + 1). */
  readonly detectorPhase: ReadonlyMap<number, number>;
  /**
   * Every controller event-log record (ATSPM code + parameter at controller time), plus the
   * monitor's: a trip is 173 (param 6, MMU flash) + 200 (alarm 1), a reset 173 (param 2) + 201.
   */
  onAtspm(listener: (tMs: number, code: number, param: number) => void): () => void;
  start(): void;
  stop(): void;
}

export function buildCabinet(o: CabinetOptions): Cabinet {
  const lampPhases = Object.keys(o.lamps.phases).map(Number).sort((a, b) => a - b);
  const resolved = resolveController(o.controller, lampPhases, (o.detectors ?? []).map((d) => d.phase));
  const { structure, plan, section } = resolved;
  // The monitor's programming card (checked against the structure), before any output is opened.
  const monitorPairs = monitorCompatible(section, structure);
  const activeLow = o.lamps.active_low ?? false;
  const out = (pin: number): DigitalOut => o.gpio.output({ pin }, { activeLow, initial: 0 });

  const raw = new Map<number, FlashChannel>();
  for (const p of structure.phases) {
    const l = o.lamps.phases[String(p)]!;
    raw.set(p, {
      red: out(l.red),
      yellow: out(l.yellow),
      green: out(l.green),
      walk: l.walk !== undefined ? out(l.walk) : undefined,
      dontWalk: l.dont_walk !== undefined ? out(l.dont_walk) : undefined,
    });
  }
  // The monitor is only as independent as its readback: an output that reads back the last
  // commanded level (readbackIsReal false) shows it the controller's intent, not the lamps.
  const commanded: number[] = [];
  for (const [p, c] of raw) {
    const l = o.lamps.phases[String(p)]!;
    if (!c.red.readbackIsReal) commanded.push(l.red);
    if (!c.yellow.readbackIsReal) commanded.push(l.yellow);
    if (!c.green.readbackIsReal) commanded.push(l.green);
    if (c.walk && !c.walk.readbackIsReal) commanded.push(l.walk!);
    if (c.dontWalk && !c.dontWalk.readbackIsReal) commanded.push(l.dont_walk!);
  }
  const readbackKind = commanded.length === 0 ? 'real' : 'commanded';
  if (commanded.length > 0 && !section.monitor.allow_commanded_readback) {
    for (const c of raw.values()) for (const out of [c.red, c.yellow, c.green, c.walk, c.dontWalk]) {
      try {
        out?.close();
      } catch {
        // closing is best effort: the refusal below is what matters
      }
    }
    throw new Error(
      `controller.monitor: lamp outputs on pins ${commanded.join(', ')} cannot be read back on the ${o.gpio.name} backend; ` +
        `the conflict monitor would see only the controller's commands (not a stuck green, a lamp out or a failed write). ` +
        `Use a backend with real readback, or set controller.monitor.allow_commanded_readback: true to run with a blind monitor (unsafe)`,
    );
  }
  const transfer = new FlashTransfer(o.clock, [...raw.values()]);
  const heads = new Map<number, SignalHead>();
  const gated = new Map<number, SignalHead>();
  for (const [p, c] of raw) {
    heads.set(p, new SignalHead(c));
    gated.set(
      p,
      new SignalHead({
        red: transfer.gate(c.red),
        yellow: transfer.gate(c.yellow),
        green: transfer.gate(c.green),
        walk: c.walk && transfer.gate(c.walk),
        dontWalk: c.dontWalk && transfer.gate(c.dontWalk),
      }),
    );
  }

  const channels = [...structure.phases];
  const rb = channels.map((p) => raw.get(p)!);
  const minRedClear: Record<number, number> = {};
  for (const p of channels) {
    minRedClear[p] = section.monitor.min_red_clear_s !== undefined ? ms(section.monitor.min_red_clear_s) : plan.timing[p]!.redClearMs;
  }
  const monitor = new ConflictMonitor({
    clock: o.clock,
    channels,
    compatible: monitorPairs,
    transfer,
    minYellowMs: ms(section.monitor.min_yellow_s),
    minRedClearMs: minRedClear,
    heartbeatTimeoutMs: section.monitor.heartbeat_timeout_ms,
    readbackKind,
    readback: (into) => {
      for (let i = 0; i < rb.length; i++) {
        const c = rb[i]!;
        into[3 * i] = c.red.read();
        into[3 * i + 1] = c.yellow.read();
        into[3 * i + 2] = c.green.read();
      }
    },
    pedReadback: (into) => {
      for (let i = 0; i < rb.length; i++) {
        const c = rb[i]!;
        into[2 * i] = c.walk ? c.walk.read() : 0;
        into[2 * i + 1] = c.dontWalk ? c.dontWalk.read() : 0;
      }
    },
  });

  const detectorPhase = new Map<number, number>();
  const detectors: ControllerDetector[] = [];
  (o.detectors ?? []).forEach((d, i) => {
    if (!structure.phases.includes(d.phase)) return;
    const channel = i + 1;
    detectorPhase.set(channel, d.phase);
    detectors.push({
      channel,
      phase: d.phase,
      maxPresenceMs: ms(d.max_presence_s),
      noActivityMs: ms(d.no_activity_s),
      // NEMA erratic-count diagnostics: no real lane gives 70 vehicles a minute.
      erraticPerMin: ERRATIC_PER_MIN,
      input: o.gpio.input({ pin: d.pin }, { activeLow: d.active_low, debounceMs: d.debounce_ms }),
    });
  });

  // The monitor's programming is a floor for every plan, so a valid plan change cannot trip it.
  const floorRed: number[] = new Array(9).fill(0);
  for (const p of channels) floorRed[p] = minRedClear[p]!;
  // Same for the yellow (the site file cannot ask for less; a plan set at run time is raised).
  const floorYellow: number[] = new Array(9).fill(ms(section.monitor.min_yellow_s));
  const controller = new TrafficController({
    clock: o.controllerClock ?? o.clock,
    structure,
    plan,
    heads: gated,
    detectors,
    transfer,
    heartbeat: () => monitor.heartbeat(),
    tickMs: section.tick_ms,
    startupFlashMs: ms(section.startup_flash_s),
    startupRedMs: ms(section.startup_red_s),
    floors: { redClearMs: floorRed, yellowMs: floorYellow },
  });
  monitor.onReset(() => controller.restart());

  return {
    resolved,
    controller,
    monitor,
    transfer,
    heads,
    detectorPhase,
    onAtspm(listener) {
      const offs = [
        controller.on((e) => e.type === 'atspm' && listener(e.t, e.code, e.param)),
        monitor.onTrip((trip) => {
          listener(trip.t, ATSPM.UNIT_FLASH_STATUS, FLASH_STATUS.MMU);
          listener(trip.t, ATSPM.ALARM_ON, 1);
        }),
        monitor.onReset((t) => {
          listener(t, ATSPM.UNIT_FLASH_STATUS, FLASH_STATUS.NOT_FLASH);
          listener(t, ATSPM.ALARM_OFF, 1);
        }),
      ];
      return () => offs.forEach((off) => off());
    },
    start() {
      monitor.start();
      controller.start();
    },
    stop() {
      controller.stop();
      monitor.stop();
      transfer.dispose();
    },
  };
}
