import { appendFileSync, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { ATSPM } from './atspm-codes.js';

/**
 * The controller event log in the Indiana high-resolution format, as ATSPM reads it:
 * CSV `SignalID,Timestamp,EventCode,EventParam`, timestamps to 0.1 s ("2026-01-01 00:00:12.3", UTC).
 * Controller times are monotonic ms; the caller maps them to wall time once (`startWallMs` is the
 * wall time of monotonic 0), so a wall-clock jump cannot reorder the log.
 */
export const ATSPM_HEADER = 'SignalID,Timestamp,EventCode,EventParam\n';

export interface AtspmRecord {
  readonly signalId: string;
  /** Wall time in ms since the epoch, at 0.1 s resolution. */
  readonly timestampMs: number;
  readonly code: number;
  readonly param: number;
}

export function formatTimestamp(wallMs: number): string {
  const tenths = Math.floor(wallMs / 100);
  const d = new Date(tenths * 100);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${tenths % 10}`;
}

export function parseTimestamp(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$/.exec(s.trim());
  if (!m) throw new Error(`bad ATSPM timestamp ${JSON.stringify(s)}`);
  const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + frac;
}

/** Formats records into CSV text, buffered; `write` receives chunks. */
export class AtspmCsv {
  private buf: string[] = [];
  constructor(
    readonly signalId: string,
    private readonly startWallMs: number,
    private readonly chunkLines = 2048,
  ) {
    if (/[,\n"]/.test(signalId)) throw new Error(`signal id ${JSON.stringify(signalId)} must not contain commas, quotes or newlines`);
  }
  header(): string {
    return ATSPM_HEADER;
  }
  line(tMs: number, code: number, param: number): string {
    return `${this.signalId},${formatTimestamp(this.startWallMs + tMs)},${code},${param}\n`;
  }
  add(tMs: number, code: number, param: number, write: (chunk: string) => void): void {
    this.buf.push(this.line(tMs, code, param));
    if (this.buf.length >= this.chunkLines) this.flush(write);
  }
  flush(write: (chunk: string) => void): void {
    if (this.buf.length === 0) return;
    write(this.buf.join(''));
    this.buf = [];
  }
}

export interface AtspmFileLogOptions {
  readonly path: string;
  readonly signalId: string;
  /** Wall time (ms since epoch) of controller time 0. */
  readonly startWallMs: number;
  /** Rotate when the file would grow past this. Default 5 MiB. */
  readonly maxBytes?: number;
  /** Rotated files kept (path.1 … path.N). Default 5. */
  readonly keep?: number;
}

/**
 * Rotating on-disk event log for `wayside run`: records are buffered and appended on `flush()`
 * (call it from a timer, e.g. every second); when the file would pass maxBytes it becomes
 * path.1 (path.1 → path.2 …, the oldest dropped) and a new file with a header is started.
 */
export class AtspmFileLog {
  private readonly csv: AtspmCsv;
  private pending: string[] = [];
  private size: number;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(private readonly o: AtspmFileLogOptions) {
    this.csv = new AtspmCsv(o.signalId, o.startWallMs);
    this.maxBytes = o.maxBytes ?? 5 * 1024 * 1024;
    this.keep = o.keep ?? 5;
    this.size = existsSync(o.path) ? statSync(o.path).size : 0;
    if (this.size === 0) this.append(ATSPM_HEADER);
  }

  record(tMs: number, code: number, param: number): void {
    this.pending.push(this.csv.line(tMs, code, param));
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    if (this.size + Buffer.byteLength(chunk) > this.maxBytes && this.size > ATSPM_HEADER.length) this.rotate();
    this.append(chunk);
  }

  close(): void {
    this.flush();
  }

  private append(s: string): void {
    appendFileSync(this.o.path, s);
    this.size += Buffer.byteLength(s);
  }

  private rotate(): void {
    const p = this.o.path;
    if (existsSync(`${p}.${this.keep}`)) unlinkSync(`${p}.${this.keep}`);
    for (let i = this.keep - 1; i >= 1; i--) if (existsSync(`${p}.${i}`)) renameSync(`${p}.${i}`, `${p}.${i + 1}`);
    renameSync(p, `${p}.1`);
    this.size = 0;
    this.append(ATSPM_HEADER);
  }
}

export function parseAtspmCsv(text: string): AtspmRecord[] {
  const out: AtspmRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim() || (i === 0 && line.startsWith('SignalID'))) return;
    const f = line.split(',');
    if (f.length !== 4) throw new Error(`line ${i + 1}: expected 4 fields, got ${f.length}`);
    out.push({ signalId: f[0]!, timestampMs: parseTimestamp(f[1]!), code: Number(f[2]), param: Number(f[3]) });
  });
  return out;
}

export interface PhaseTimes {
  green_ms: number;
  yellow_ms: number;
  red_ms: number;
  greens: number;
}

/**
 * Rebuilds each phase's total green, yellow and red (red clearance plus red rest) time from a
 * log, as ATSPM's split monitor does: 1 Begin Green starts green, 8 Begin Yellow starts yellow,
 * 9 End Yellow / 10 Begin Red Clearance start red, until the next Begin Green. Time before a
 * phase's first event is not counted; the log's last record closes every interval.
 * A 173 flash status change to flash ends the interval (flash is not green, yellow or red).
 */
export function rebuildPhaseTimes(records: readonly AtspmRecord[]): Map<number, PhaseTimes> {
  const out = new Map<number, PhaseTimes>();
  const state = new Map<number, { s: 'green' | 'yellow' | 'red' | 'flash'; since: number }>();
  const add = (p: number, s: string, ms: number): void => {
    let t = out.get(p);
    if (!t) out.set(p, (t = { green_ms: 0, yellow_ms: 0, red_ms: 0, greens: 0 }));
    if (s === 'green') t.green_ms += ms;
    else if (s === 'yellow') t.yellow_ms += ms;
    else if (s === 'red') t.red_ms += ms;
  };
  const to = (p: number, s: 'green' | 'yellow' | 'red' | 'flash', t: number): void => {
    const cur = state.get(p);
    if (cur) add(p, cur.s, t - cur.since);
    else if (!out.has(p)) out.set(p, { green_ms: 0, yellow_ms: 0, red_ms: 0, greens: 0 });
    state.set(p, { s, since: t });
    if (s === 'green') out.get(p)!.greens++;
  };
  let last = 0;
  for (const r of records) {
    last = r.timestampMs;
    switch (r.code) {
      case ATSPM.BEGIN_GREEN:
        to(r.param, 'green', r.timestampMs);
        break;
      case ATSPM.BEGIN_YELLOW:
        to(r.param, 'yellow', r.timestampMs);
        break;
      case ATSPM.END_YELLOW:
      case ATSPM.BEGIN_RED_CLEAR:
        if (state.get(r.param)?.s !== 'red') to(r.param, 'red', r.timestampMs);
        break;
      case ATSPM.UNIT_FLASH_STATUS:
        if (r.param !== 2) for (const p of state.keys()) to(p, 'flash', r.timestampMs);
        break;
    }
  }
  for (const [p, cur] of state) add(p, cur.s, last - cur.since);
  return out;
}
