import { ObjectPool } from './pool.js';

/**
 * An event on its way from the control thread to the event log and the uplink: phase changes,
 * alerts, faults. Pooled (see ObjectPool): the fields are overwritten, the object is reused.
 */
export type RuntimeEventKind = 'alert' | 'fault' | 'phase' | 'job' | 'info';

export class RuntimeEvent {
  kind: RuntimeEventKind = 'info';
  tMs = 0;
  /** Wall time in ms, for people and the uplink (the control clock is monotonic). */
  wallMs = 0;
  source = '';
  message = '';
  value = NaN;
  score = NaN;
  phase = 0;

  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { kind: this.kind, t_ms: this.tMs, at: new Date(this.wallMs).toISOString(), source: this.source, message: this.message };
    if (!Number.isNaN(this.value)) o.value = this.value;
    if (!Number.isNaN(this.score)) o.score = this.score;
    if (this.phase) o.phase = this.phase;
    return o;
  }
}

export function resetEvent(e: RuntimeEvent): void {
  e.kind = 'info';
  e.tMs = 0;
  e.wallMs = 0;
  e.source = '';
  e.message = '';
  e.value = NaN;
  e.score = NaN;
  e.phase = 0;
}

export function createEventPool(size = 256): ObjectPool<RuntimeEvent> {
  return new ObjectPool(() => new RuntimeEvent(), resetEvent, size);
}

/** Alerts and faults must reach the outbox; the rest may be dropped under load. */
export function isDurable(kind: RuntimeEventKind): boolean {
  return kind === 'alert' || kind === 'fault';
}
