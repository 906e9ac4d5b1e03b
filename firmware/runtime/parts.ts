import type { FaultView, PhaseView } from '../status/snapshot.js';
import type { StreamSpec } from './sensor-pipeline.js';

/**
 * The seams between the runtime and the subsystems it wires together. Each is an adapter over
 * another part of wayside (traffic engine + conflict monitor + signal heads + loop detectors,
 * the sampling scheduler + chip drivers, the simulated cabinet, the uplink), so the runtime
 * itself stays a small loop that does not know their internals.
 */
export interface IntersectionPart {
  readonly phases: readonly number[];
  /** One control step: controller timing, lamp writes, monitor check. Synchronous, no allocation. */
  step(nowMs: number): void;
  monitorHealthy(): boolean;
  monitor(): { healthy: boolean; tripped: boolean; reason: string | null };
  /** Read back from the lamp outputs (status rate, may allocate). */
  view(): PhaseView[];
  /** Controller state for the dashboard (mode, plan, cycle), status rate. */
  describe(): Record<string, unknown>;
  /** Lamps to all-red flash; stays there until close. */
  safeState(reason: string): void;
  /** Lamps off, outputs released. */
  close(): void;
  readonly counters: { readonly phaseChanges: number; readonly monitorTrips: number };
  /** Set by the runtime. */
  onPhaseChange: ((phase: number, indication: string, tMs: number) => void) | null;
  onFault: ((source: string, message: string, tMs: number) => void) | null;
}

export interface SamplerPart {
  readonly streams: readonly StreamSpec[];
  /** Starts sampling; each reading is offered to the pipeline (never blocks). */
  start(offer: (stream: number, tMs: number, value: number) => void): Promise<void>;
  stop(): Promise<void>;
  i2cErrors(): { bus: string; kind: string; count: number }[];
  onFault: ((source: string, message: string, tMs: number) => void) | null;
}

/** The simulated world on `--board sim`: traffic at the detector inputs, physics at the chips. */
export interface SimulationPart {
  start(): void;
  stop(): void;
  /** One line for the operator: what faults are scheduled. */
  describe(): string;
}

export interface UplinkPart {
  /** Hands an alert or fault over; never dropped (the outbox is durable). */
  publish(event: Record<string, unknown>): void;
  stats(): { configured: boolean; connected: boolean; backlog: number; uplinkedBytes: number };
  close(drainMs: number): Promise<void>;
}

export type { FaultView };
