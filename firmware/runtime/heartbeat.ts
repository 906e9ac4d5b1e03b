/**
 * The control loop's pulse, in shared memory. The control thread writes it on every tick; the
 * status server (on its own worker thread) reads it. Because the reader does not need the
 * control thread to answer, `/healthz` can say 503 precisely when the control thread is stuck.
 *
 * Times are absolute milliseconds (`performance.timeOrigin + performance.now()`): each thread
 * has its own `performance.now()` origin, so relative times would not compare across threads.
 */
const LAST_TICK = 0;
const TICKS = 1;
const MONITOR_OK = 2;
const RUNNING = 3;
const PERIOD = 4;
const SAFE_STATE = 5;
const LEN = 6;

export function absoluteNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class Heartbeat {
  readonly buffer: SharedArrayBuffer;
  private readonly a: Float64Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(LEN * 8);
    this.a = new Float64Array(this.buffer);
  }

  beat(absMs: number, monitorHealthy: boolean): void {
    this.a[LAST_TICK] = absMs;
    this.a[TICKS] = this.a[TICKS]! + 1;
    this.a[MONITOR_OK] = monitorHealthy ? 1 : 0;
  }
  setRunning(running: boolean, periodMs: number): void {
    this.a[RUNNING] = running ? 1 : 0;
    this.a[PERIOD] = periodMs;
  }
  setSafeState(on: boolean): void {
    this.a[SAFE_STATE] = on ? 1 : 0;
  }

  read(): HeartbeatState {
    return {
      lastTickAt: this.a[LAST_TICK]!,
      ticks: this.a[TICKS]!,
      monitorHealthy: this.a[MONITOR_OK] === 1,
      running: this.a[RUNNING] === 1,
      periodMs: this.a[PERIOD]!,
      safeState: this.a[SAFE_STATE] === 1,
    };
  }
}

export interface HeartbeatState {
  readonly lastTickAt: number;
  readonly ticks: number;
  readonly monitorHealthy: boolean;
  readonly running: boolean;
  readonly periodMs: number;
  /** Lamps forced to all-red flash (monitor trip or shutdown). */
  readonly safeState: boolean;
}

export interface Health {
  readonly ok: boolean;
  readonly reasons: string[];
  readonly sinceTickMs: number;
}

/**
 * Healthy only while the loop is running, ticked within `staleMs`, and the conflict monitor is
 * healthy (not tripped, lamps not in the forced flash). Pure, so it is tested with plain numbers.
 */
export function evaluateHealth(hb: HeartbeatState, nowAbsMs: number, staleMs: number): Health {
  const reasons: string[] = [];
  const since = hb.ticks > 0 ? nowAbsMs - hb.lastTickAt : Infinity;
  if (!hb.running) reasons.push('control loop not running');
  if (hb.ticks === 0) reasons.push('control loop has not ticked yet');
  else if (since > staleMs) reasons.push(`control loop stalled: last tick ${Math.round(since)} ms ago (limit ${staleMs} ms)`);
  if (!hb.monitorHealthy) reasons.push('conflict monitor not healthy');
  if (hb.safeState) reasons.push('lamps in all-red flash');
  return { ok: reasons.length === 0, reasons, sinceTickMs: since };
}
