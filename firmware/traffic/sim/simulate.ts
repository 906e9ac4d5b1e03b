import { SimGpio } from '../../../drivers/backends/sim/gpio.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import type { Level } from '../../../drivers/hal/gpio.js';
import type { DetectorInput, LampHead } from '../../site/schema.js';
import { buildCabinet, type Cabinet } from '../cabinet.js';
import type { MonitorTrip } from '../conflict-monitor.js';
import { compatiblePairs } from '../structure.js';
import { Approach } from './approach.js';
import { Rng } from './rng.js';
import { controllerSectionOf, type Scenario, scenarioPhases } from './scenario.js';
import { StallableClock } from './stallable-clock.js';

/**
 * Runs a scenario: the real cabinet (engine, strategy, flash transfer, conflict monitor) on the
 * sim GPIO backend with a virtual clock, vehicles arriving per approach and pulsing that
 * phase's detector, and leaving per the lamps as actually driven. Deterministic for a seed.
 *
 * Pins: phase p has red 10p+1, yellow 10p+2, green 10p+3, walk 10p+4, don't-walk 10p+5 and its
 * detector on input 100+p (detector channel = position of p among the phases in use, from 1).
 */
export type LampIndication = 'green' | 'yellow' | 'red' | 'flash-red' | 'dark';

export interface SimResult {
  vehicles: number;
  avg_delay_s: number;
  per_phase: Record<string, { vehicles: number; avg_delay_s: number; max_queue: number }>;
  monitor_trips: { t_ms: number; fault: string; reason: string; phases: number[] }[];
}

export interface SimInfo {
  simulated_s: number;
  wall_ms: number;
  guard_refusals: number;
  detector_faults: { t_ms: number; channel: number; phase: number; fault: string }[];
  lamp_changes: number;
}

export interface AtspmSink {
  (tMs: number, code: number, param: number): void;
}

export interface SimOptions {
  /** Receives each --events JSON line (without newline). */
  readonly events?: (line: string) => void;
  /** Receives each controller event-log record. */
  readonly atspm?: AtspmSink;
  /** Called once with the cabinet before the run (tests inspect it). */
  readonly inspect?: (cabinet: Cabinet, clock: VirtualClock) => void;
}

const STEP_MS = 50;

export const simPins = {
  red: (p: number) => 10 * p + 1,
  yellow: (p: number) => 10 * p + 2,
  green: (p: number) => 10 * p + 3,
  walk: (p: number) => 10 * p + 4,
  dontWalk: (p: number) => 10 * p + 5,
  detector: (p: number) => 100 + p,
};

export function simulate(s: Scenario, opts: SimOptions = {}): { result: SimResult; info: SimInfo } {
  const wall0 = performance.now();
  const clock = new VirtualClock(0);
  const ctlClock = new StallableClock(clock);
  const gpio = new SimGpio(clock);
  const phases = scenarioPhases(s);
  const section = controllerSectionOf(s);
  const lamps: Record<string, LampHead> = {};
  const walkPhases = new Set<number>();
  for (const p of phases) {
    const own = s.controller.phases?.[String(p)]?.walk_s ?? s.controller.walk_s ?? 0;
    if (own > 0) walkPhases.add(p);
    lamps[String(p)] = {
      red: simPins.red(p),
      yellow: simPins.yellow(p),
      green: simPins.green(p),
      ...(own > 0 ? { walk: simPins.walk(p), dont_walk: simPins.dontWalk(p) } : {}),
    };
  }
  const detectors: DetectorInput[] = phases.map((p) => ({
    phase: p,
    pin: simPins.detector(p),
    active_low: false,
    debounce_ms: 0,
    max_presence_s: s.detector_max_presence_s,
    no_activity_s: 0,
  }));
  const cab = buildCabinet({ clock, controllerClock: ctlClock, gpio, lamps: { phases: lamps }, detectors, controller: section });
  const { structure } = cab.resolved;
  const emit = opts.events;
  const atspm = opts.atspm;

  emit?.(JSON.stringify({ event: 'start', phases: structure.phases, compatible: compatiblePairs(structure) }));
  if (atspm) cab.onAtspm(atspm);

  // ---- lamps as driven: log changes, feed the vehicle model ----
  const pinPhase = new Map<number, number>();
  for (const p of phases) for (const pin of [simPins.red(p), simPins.yellow(p), simPins.green(p)]) pinPhase.set(pin, p);
  const dirty = new Uint8Array(9);
  const dirtyAt = new Float64Array(9);
  let anyDirty = false;
  const markDirty = (p: number, t: number): void => {
    dirty[p] = 1;
    dirtyAt[p] = t;
    anyDirty = true;
  };
  gpio.onOutput((pin, _level, t) => {
    const p = pinPhase.get(pin);
    if (p !== undefined) markDirty(p, t);
  });
  cab.transfer.onChange((_e, _src, t) => {
    for (const p of phases) markDirty(p, t);
  });
  const shown: LampIndication[] = new Array<LampIndication>(9).fill('dark');
  let lampChanges = 0;
  const approaches = new Map<number, Approach>();
  const headway = 3_600_000 / s.saturation_vph;
  for (const p of phases) approaches.set(p, new Approach(headway, s.startup_lost_s * 1000, s.yellow_used_s * 1000, s.warmup_s * 1000));

  const indicationOf = (p: number): LampIndication => {
    if (cab.transfer.engaged) return 'flash-red';
    const g = gpio.physical(simPins.green(p));
    const y = gpio.physical(simPins.yellow(p));
    const r = gpio.physical(simPins.red(p));
    return g ? 'green' : y ? 'yellow' : r ? 'red' : 'dark';
  };
  const pending: { t: number; line: string }[] = [];
  const poll = (): void => {
    if (!anyDirty) return;
    anyDirty = false;
    for (const p of phases) {
      if (!dirty[p]) continue;
      dirty[p] = 0;
      const ind = indicationOf(p);
      if (ind === shown[p]) continue;
      shown[p] = ind;
      const t = dirtyAt[p]!;
      lampChanges++;
      approaches.get(p)!.indication(ind, t);
      if (emit) pending.push({ t, line: JSON.stringify({ t_ms: t, phase: p, indication: ind }) });
    }
  };

  // ---- monitor ----
  const trips: SimResult['monitor_trips'] = [];
  cab.monitor.onTrip((trip: MonitorTrip) => {
    trips.push({ t_ms: trip.t, fault: trip.fault, reason: trip.reason, phases: [...trip.channels] });
    if (emit) pending.push({ t: trip.t, line: JSON.stringify({ t_ms: trip.t, event: 'monitor-trip', fault: trip.fault, reason: trip.reason }) });
  });
  const detFaults: SimInfo['detector_faults'] = [];
  cab.controller.on((e) => {
    if (e.type !== 'detector-fault') return;
    detFaults.push({ t_ms: e.t, channel: e.channel, phase: e.phase, fault: e.fault });
    if (emit) pending.push({ t: e.t, line: JSON.stringify({ t_ms: e.t, event: 'detector-fault', channel: e.channel, detector_phase: e.phase, fault: e.fault, mode: e.fault === 'restored' ? 'normal' : 'max-recall' }) });
  });

  // ---- vehicles ----
  const endMs = Math.round(s.duration_s * 1000);
  const stuckDetector = new Uint8Array(9);
  const detOffAt = new Float64Array(9);
  const detOn = new Uint8Array(9);
  const occupancy = s.detector_occupancy_ms;
  phases.forEach((p, idx) => {
    const vph = s.volumes_vph[String(p)] ?? 0;
    if (vph <= 0) return;
    const rng = new Rng(s.seed, p * 7919 + idx);
    const mean = 3_600_000 / vph;
    const ap = approaches.get(p)!;
    const pin = simPins.detector(p);
    let next = s.arrivals === 'uniform' ? rng.next() * mean : rng.exp(mean);
    const arrive = (): void => {
      const t = clock.now();
      ap.arrive(t);
      if (!stuckDetector[p]) {
        if (detOn[p]) gpio.setInput(pin, 0); // the gap between two close vehicles
        gpio.setInput(pin, 1);
        detOn[p] = 1;
        detOffAt[p] = t + occupancy;
        clock.setTimeout(() => {
          if (!stuckDetector[p] && clock.now() >= detOffAt[p]!) {
            gpio.setInput(pin, 0);
            detOn[p] = 0;
          }
        }, occupancy);
      }
      schedule();
    };
    const schedule = (): void => {
      next += s.arrivals === 'uniform' ? mean : rng.exp(mean);
      if (next < endMs) clock.setTimeout(arrive, Math.max(1, Math.ceil(next) - clock.now()));
    };
    // First arrival; `next` is the arrival time (ms), fired at the ms it falls in.
    next = Math.max(next, 1);
    if (next < endMs) {
      const first = next;
      next = first;
      clock.setTimeout(arrive, Math.ceil(first));
    }
  });

  // ---- faults act on outputs and inputs, never on controller code ----
  for (const f of s.faults) {
    clock.setTimeout(() => {
      const p = f.phase ?? 0;
      switch (f.kind) {
        case 'stuck-green':
          gpio.forceOutput(simPins.green(p), 1 as Level);
          break;
        case 'red-lamp-out':
          gpio.forceOutput(simPins.red(p), 0 as Level);
          break;
        case 'detector-stuck-on':
          stuckDetector[p] = 1;
          gpio.setInput(simPins.detector(p), 1);
          break;
        case 'controller-stall':
          ctlClock.stall();
          break;
      }
    }, Math.max(1, Math.round(f.at_s * 1000)));
  }

  opts.inspect?.(cab, clock);
  cab.start();
  poll();
  flush(pending, emit);
  for (let t = STEP_MS; t <= endMs; t += STEP_MS) {
    clock.runUntil(t);
    poll();
    if (pending.length > 0) flush(pending, emit);
    for (const ap of approaches.values()) ap.drain(t);
  }
  cab.stop();

  const perPhase: SimResult['per_phase'] = {};
  let veh = 0;
  let delay = 0;
  for (const p of phases) {
    const ap = approaches.get(p)!;
    veh += ap.vehicles;
    delay += ap.delaySum;
    perPhase[String(p)] = { vehicles: ap.vehicles, avg_delay_s: round3(ap.vehicles ? ap.delaySum / ap.vehicles / 1000 : 0), max_queue: ap.maxQueue };
  }
  return {
    result: { vehicles: veh, avg_delay_s: round3(veh ? delay / veh / 1000 : 0), per_phase: perPhase, monitor_trips: trips },
    info: {
      simulated_s: s.duration_s,
      wall_ms: Math.round(performance.now() - wall0),
      guard_refusals: cab.controller.engine.guardRefusals,
      detector_faults: detFaults,
      lamp_changes: lampChanges,
    },
  };
}

function flush(pending: { t: number; line: string }[], emit: ((line: string) => void) | undefined): void {
  if (!emit) {
    pending.length = 0;
    return;
  }
  pending.sort((a, b) => a.t - b.t);
  for (const x of pending) emit(x.line);
  pending.length = 0;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
