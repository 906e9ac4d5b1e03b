/**
 * The phase engine's vocabulary: intervals, indications, detector specs, the events it emits
 * and its snapshot. Kept apart so the controller, the runtime and tests can name them without
 * the engine's internals.
 */
export type Interval = 'green' | 'yellow' | 'red-clear' | 'idle';
export type EngineMode = 'off' | 'startup-flash' | 'startup-red' | 'run';
export type PhaseIndication = 'green' | 'yellow' | 'red' | 'flash-red' | 'dark';
export type PedIndication = 'walk' | 'fdw' | 'dont-walk' | 'dark';

export interface DetectorSpec {
  /** Detector channel number (ATSPM parameter of events 81-88). */
  readonly channel: number;
  readonly phase: number;
  /** Presence longer than this is a stuck detector (NEMA max presence). 0 disables. */
  readonly maxPresenceMs: number;
  /** No actuation for this long is a dead detector. 0 disables. */
  readonly noActivityMs: number;
  /** More actuations than this in one minute is an erratic (chattering) detector. 0 or absent disables. */
  readonly erraticPerMin?: number;
}

export type DetectorFaultKind = 'max-presence' | 'no-activity' | 'erratic';

export type EngineEvent =
  | { readonly type: 'indication'; readonly t: number; readonly phase: number; readonly indication: PhaseIndication }
  | { readonly type: 'ped'; readonly t: number; readonly phase: number; readonly ped: PedIndication }
  | { readonly type: 'atspm'; readonly t: number; readonly code: number; readonly param: number }
  | { readonly type: 'mode'; readonly t: number; readonly mode: EngineMode }
  | { readonly type: 'detector-fault'; readonly t: number; readonly channel: number; readonly phase: number; readonly fault: DetectorFaultKind | 'restored' };

export type EngineListener = (e: EngineEvent) => void;

export interface EngineSnapshot {
  t: number;
  mode: EngineMode;
  strategy: string;
  pattern: number;
  side: number;
  phases: {
    phase: number;
    indication: PhaseIndication;
    ped: PedIndication;
    interval: Interval;
    call: boolean;
    pedCall: boolean;
    occupied: boolean;
    detectorFault: boolean;
    greenStart: number | null;
  }[];
  detectors: { channel: number; phase: number; on: boolean; failed: DetectorFaultKind | null }[];
  guardRefusals: number;
}

/** Parameters of ATSPM event 173 (Unit Flash Status Change) used here. */
export const FLASH_STATUS = { NOT_FLASH: 2, MMU: 6, STARTUP: 7 } as const;

