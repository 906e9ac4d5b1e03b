import type { StageReport } from '../runtime/bounded-queue.js';
import type { ThreadAffinity } from '../runtime/affinity.js';

/**
 * What the control thread tells the status thread, a few times a second. Plain data (it is
 * structured-cloned between threads); built at the status rate, never per sample.
 */
export type Indication = 'dark' | 'red' | 'yellow' | 'green' | 'flash-red' | 'flash-yellow';
export const INDICATION_CODE: Record<Indication, number> = {
  dark: 0,
  red: 1,
  yellow: 2,
  green: 3,
  'flash-red': 4,
  'flash-yellow': 5,
};

export interface PhaseView {
  readonly phase: number;
  readonly indication: Indication;
  /** Lamps actually lit, read back from the outputs (what the monitor sees). */
  readonly lamps: { readonly red: boolean; readonly yellow: boolean; readonly green: boolean };
  readonly walk?: 'walk' | 'dont-walk' | 'flashing-dont-walk' | 'dark';
  /** Vehicle call / detector occupancy on this phase. */
  readonly call: boolean;
}

export interface StreamView {
  readonly name: string;
  readonly unit: string;
  readonly value: number | null;
  readonly score: number | null;
  readonly alerting: boolean;
  /** ms since the last sample (staleness). */
  readonly ageMs: number | null;
  readonly samples: number;
  readonly drops: number;
}

export interface FaultView {
  readonly tMs: number;
  readonly at: string; // ISO wall time, for people
  readonly kind: string;
  readonly source: string;
  readonly message: string;
}

export interface StatusSnapshot {
  readonly seq: number;
  readonly at: number; // absolute ms
  readonly site: string;
  readonly board: string;
  readonly uptimeS: number;
  readonly phases: PhaseView[];
  readonly controller: Record<string, unknown>;
  readonly monitor: { readonly healthy: boolean; readonly tripped: boolean; readonly reason: string | null };
  readonly streams: StreamView[];
  readonly stages: StageReport[];
  readonly faults: FaultView[];
  readonly counters: {
    readonly samples: number;
    readonly alerts: number;
    readonly phaseChanges: number;
    readonly monitorTrips: number;
    readonly rawBytes: number;
    readonly uplinkedBytes: number;
  };
  /** Control loop lag observations (ms) since the previous snapshot. */
  readonly loopLagMs: number[];
  /** Model inference latencies (ms) since the previous snapshot. */
  readonly inference: { readonly model: string; readonly ms: number }[];
  readonly i2cErrors: { readonly bus: string; readonly kind: string; readonly count: number }[];
  readonly uplink: { readonly configured: boolean; readonly connected: boolean; readonly backlog: number } | null;
  readonly threads: ThreadAffinity[];
  readonly affinityWarnings: string[];
  readonly rssMb: number;
  /** Things not running in this build, stated rather than faked. */
  readonly missing: string[];
}
