import type { StreamSummary } from './telemetry-summary.js';

/**
 * The plaintext JSON inside every uplink token. `seq` numbers the device's durable stream
 * (telemetry, alerts, acks): it never repeats and never skips, across restarts, so a consumer
 * drops a replayed duplicate by seq and reports a gap as a loss. State messages
 * (online/offline, retained) are presence, not part of that stream: their `seq` is the
 * device's high-water mark when they were made, so they are excluded from gap/dup checks.
 * `ts` is wall time in milliseconds since the epoch.
 */
export interface Envelope {
  device: string;
  seq: number;
  ts: number;
}

export interface TelemetryMessage extends Envelope {
  kind: 'telemetry';
  /** Wall time (ms) the interval started; the interval ends at `ts`. */
  from: number;
  streams: Record<string, StreamSummary>;
}

export interface AlertMessage extends Envelope {
  kind: 'alert';
  [field: string]: unknown;
}

export interface AckMessage extends Envelope {
  kind: 'ack';
  /** The command's id; null when the command could not be read (forged, malformed). */
  command_id: string | null;
  cmd: string | null;
  ok: boolean;
  result?: unknown;
  /** Why it was refused or failed: "forged: …", "replayed: …", "not-allowed: …", "failed: …". */
  error?: string;
}

export interface StateMessage extends Envelope {
  kind: 'state';
  state: 'online' | 'offline';
}

export type UplinkMessage = TelemetryMessage | AlertMessage | AckMessage | StateMessage;

/** Kinds whose seq is part of the durable stream. */
export function isSequenced(m: { kind?: unknown }): boolean {
  return m.kind === 'telemetry' || m.kind === 'alert' || m.kind === 'ack';
}
