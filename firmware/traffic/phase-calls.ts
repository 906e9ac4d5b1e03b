import { ATSPM } from './atspm-codes.js';
import type { DetectorFaultKind, DetectorSpec, EngineEvent } from './engine-types.js';
import { MAX_PHASE, type Structure } from './structure.js';

/**
 * Per-phase demand for the phase engine: vehicle calls (detector actuations and placed calls,
 * non-locking: a call placed on red stays until the phase is served), pedestrian calls,
 * occupancy and the time it last ended (for gap timing), actuation counts, and NEMA detector
 * diagnostics. A failed detector (max presence / no activity / erratic counts) is ignored and
 * counts as a standing demand: its phase runs on max recall until the detector recovers.
 */
interface DetectorState {
  readonly spec: DetectorSpec;
  on: boolean;
  onSince: number;
  lastChange: number;
  failed: DetectorFaultKind | null;
  windowStart: number;
  windowCount: number;
}

export interface PhaseCallsHooks {
  /** Whether the phase shows green now (an actuation on green extends, it does not call). */
  isGreen(phase: number): boolean;
  atspm(t: number, code: number, param: number): void;
  event(e: EngineEvent): void;
}

export class PhaseCalls {
  private readonly call = new Uint8Array(MAX_PHASE + 1);
  private readonly pedCallF = new Uint8Array(MAX_PHASE + 1);
  private readonly occ = new Int32Array(MAX_PHASE + 1);
  private readonly failedDet = new Int32Array(MAX_PHASE + 1);
  private readonly lastOffT = new Float64Array(MAX_PHASE + 1).fill(-Infinity);
  private readonly count = new Float64Array(MAX_PHASE + 1);
  private readonly dets: DetectorState[] = [];
  private readonly byChannel = new Map<number, DetectorState>();

  constructor(
    structure: Structure,
    detectors: readonly DetectorSpec[],
    private readonly hooks: PhaseCallsHooks,
  ) {
    for (const d of detectors) {
      if (!structure.phases.includes(d.phase)) throw new Error(`detector ${d.channel}: phase ${d.phase} is not in use`);
      if (this.byChannel.has(d.channel)) throw new Error(`detector channel ${d.channel} is listed twice`);
      const st: DetectorState = { spec: d, on: false, onSince: 0, lastChange: 0, failed: null, windowStart: 0, windowCount: 0 };
      this.dets.push(st);
      this.byChannel.set(d.channel, st);
    }
  }

  /** Diagnostics start afresh (power-up). */
  reset(now: number): void {
    for (const d of this.dets) {
      d.lastChange = now;
      d.onSince = now;
      d.windowStart = now;
      d.windowCount = 0;
    }
  }

  hasCall(p: number): boolean {
    return this.call[p] === 1;
  }
  hasPedCall(p: number): boolean {
    return this.pedCallF[p] === 1;
  }
  detectorFailed(p: number): boolean {
    return this.failedDet[p]! > 0;
  }
  occupied(p: number): boolean {
    return this.occ[p]! > 0;
  }
  lastOff(p: number): number {
    return this.lastOffT[p]!;
  }
  arrivals(p: number): number {
    return this.count[p]!;
  }

  placeCall(p: number, now: number): void {
    if (this.hooks.isGreen(p)) return;
    if (!this.call[p]) {
      this.call[p] = 1;
      this.hooks.atspm(now, ATSPM.CALL_REGISTERED, p);
    }
  }

  placePedCall(p: number, now: number): void {
    if (!this.pedCallF[p]) {
      this.pedCallF[p] = 1;
      this.hooks.atspm(now, ATSPM.PED_CALL_REGISTERED, p);
    }
  }

  /** The phase's green began: its vehicle call is answered (ATSPM 44). */
  served(p: number, now: number): void {
    if (this.call[p]) {
      this.call[p] = 0;
      this.hooks.atspm(now, ATSPM.CALL_DROPPED, p);
    }
  }

  pedServed(p: number): void {
    this.pedCallF[p] = 0;
  }

  /** The phase's green ended: a detector still occupied keeps calling for the next cycle. */
  greenEnded(p: number): void {
    if (this.occ[p]! > 0) this.call[p] = 1;
  }

  /** A detector's debounced level changed. */
  detectorChange(channel: number, on: boolean, now: number): void {
    const d = this.byChannel.get(channel);
    if (!d || d.on === on) return;
    d.on = on;
    d.lastChange = now;
    this.hooks.atspm(now, on ? ATSPM.DETECTOR_ON : ATSPM.DETECTOR_OFF, channel);
    const p = d.spec.phase;
    if (d.failed === 'no-activity') this.restore(d, now);
    if (on) {
      d.onSince = now;
      d.windowCount++;
      if (d.failed) return;
      this.occ[p]!++;
      this.count[p]!++;
      this.placeCall(p, now);
    } else {
      if (d.failed === 'max-presence') {
        this.restore(d, now);
        return;
      }
      if (d.failed) return;
      this.occ[p] = Math.max(0, this.occ[p]! - 1);
      this.lastOffT[p] = now;
    }
  }

  /** NEMA detector diagnostics, once per engine step. */
  diagnose(now: number): void {
    for (const d of this.dets) {
      const s = d.spec;
      if (s.erraticPerMin && now - d.windowStart >= 60000) {
        // One-minute count windows: too many actuations fails the detector, a calm minute restores it.
        const erratic = d.windowCount > s.erraticPerMin;
        d.windowStart = now;
        d.windowCount = 0;
        if (erratic && !d.failed) {
          this.fail(d, 'erratic', now);
          continue;
        }
        if (!erratic && d.failed === 'erratic') this.restore(d, now);
      }
      if (d.failed) continue;
      if (s.maxPresenceMs > 0 && d.on && now - d.onSince >= s.maxPresenceMs) this.fail(d, 'max-presence', now);
      else if (s.noActivityMs > 0 && !d.on && now - d.lastChange >= s.noActivityMs) this.fail(d, 'no-activity', now);
    }
  }

  detectorSnapshot(): { channel: number; phase: number; on: boolean; failed: DetectorFaultKind | null }[] {
    return this.dets.map((d) => ({ channel: d.spec.channel, phase: d.spec.phase, on: d.on, failed: d.failed }));
  }

  /** Degraded mode: a failed detector is ignored and its phase runs on max recall. */
  private fail(d: DetectorState, kind: DetectorFaultKind, now: number): void {
    const p = d.spec.phase;
    d.failed = kind;
    if (d.on) {
      this.occ[p] = Math.max(0, this.occ[p]! - 1);
      this.lastOffT[p] = now;
    }
    this.failedDet[p]!++;
    const code = kind === 'max-presence' ? ATSPM.DETECTOR_FAULT_OTHER : kind === 'no-activity' ? ATSPM.DETECTOR_WATCHDOG : ATSPM.DETECTOR_EXCESSIVE_CHANGE;
    this.hooks.atspm(now, code, d.spec.channel);
    this.hooks.atspm(now, ATSPM.ALARM_ON, d.spec.channel);
    this.hooks.event({ type: 'detector-fault', t: now, channel: d.spec.channel, phase: p, fault: kind });
  }

  private restore(d: DetectorState, now: number): void {
    const p = d.spec.phase;
    d.failed = null;
    this.failedDet[p] = Math.max(0, this.failedDet[p]! - 1);
    this.hooks.atspm(now, ATSPM.DETECTOR_RESTORED, d.spec.channel);
    this.hooks.atspm(now, ATSPM.ALARM_OFF, d.spec.channel);
    this.hooks.event({ type: 'detector-fault', t: now, channel: d.spec.channel, phase: p, fault: 'restored' });
  }
}
