import createDebug from 'debug';
import type { Clock, TimerHandle } from '../../drivers/hal/clock.js';
import type { FlashTransfer } from './flash-transfer.js';

const log = createDebug('fw:traffic:monitor');

/**
 * The conflict monitor (NEMA TS2 MMU). It imports nothing of the controller or strategies:
 * it sees the lamp outputs as driven (a readback function), a heartbeat, and its own
 * programming (compatible pairs, minimum yellow and red clearance per channel).
 *
 * Every `samplePeriodMs` (50) it samples all channels. A condition (conflict, dual indication,
 * no indication, green/yellow lit during flash, red clearance cut short; for ped heads a WALK
 * against a conflicting green/yellow, WALK with DON'T WALK, WALK during flash) must be seen in
 * consecutive samples spanning at least `persistMs` (200) before it trips, so a glitch shorter
 * than 200 ms never trips and a lasting fault trips within persistMs + one period (≤ 250 ms).
 * A short yellow trips when a yellow that lasted ≥ persistMs ends early; a heartbeat silent for
 * `heartbeatTimeoutMs` (300) trips at the next sample (≤ 350 ms), or one sample later when the
 * monitor's own sampling was stalled for longer than that timeout (a stall of the whole thread,
 * which the controller could not have beaten through).
 *
 * A trip engages the flash transfer (all reds flash at 1 Hz from the transfer's own timer),
 * latched until `reset()`, which is refused while the fault is still present.
 */
export type MonitorFault =
  | 'conflict'
  | 'dual-indication'
  | 'red-fail'
  | 'short-yellow'
  | 'red-clear-cut'
  | 'heartbeat'
  | 'output-during-flash'
  | 'readback';

export interface MonitorTrip {
  readonly t: number;
  readonly fault: MonitorFault;
  readonly reason: string;
  readonly channels: readonly number[];
}

export interface MonitorOptions {
  readonly clock: Clock;
  /** Channel (phase) numbers, in the order `readback` fills them. */
  readonly channels: readonly number[];
  /** Pairs of channels that may show green/yellow together; every other pair conflicts. */
  readonly compatible: readonly (readonly [number, number])[];
  /** Fills `into[3i]`, `[3i+1]`, `[3i+2]` with channel i's red, yellow, green output levels (0/1). */
  readonly readback: (into: Uint8Array) => void;
  /**
   * Pedestrian heads: fills `into[2i]`, `[2i+1]` with channel i's WALK and DON'T WALK output
   * levels (0 where the channel has no ped head). A WALK lit while a conflicting channel shows
   * green/yellow trips 'conflict'; WALK and DON'T WALK together trip 'dual-indication'; a WALK
   * lit during flash trips 'output-during-flash' and refuses a reset. Absent: no ped heads.
   */
  readonly pedReadback?: (into: Uint8Array) => void;
  readonly transfer: FlashTransfer;
  /** Minimum yellow per channel (ms), default 2700 (NEMA). */
  readonly minYellowMs?: number | Readonly<Record<number, number>>;
  /** Minimum red clearance per channel (ms), default 0. */
  readonly minRedClearMs?: number | Readonly<Record<number, number>>;
  readonly samplePeriodMs?: number;
  readonly persistMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /**
   * Whether `readback` reads the outputs ('real', default) or only the last commanded levels
   * ('commanded': the monitor is blind to stuck outputs, lamp-outs and failed writes). Reported
   * by `state()` for the status page; the cabinet refuses 'commanded' unless the site opts in.
   */
  readonly readbackKind?: 'real' | 'commanded';
}

export interface MonitorState {
  readonly running: boolean;
  readonly tripped: boolean;
  readonly trip: MonitorTrip | null;
  readonly trips: number;
  readonly flash: 'startup' | 'monitor' | null;
  readonly lastSampleMs: number;
  readonly lastHeartbeatMs: number;
  /** What the readback sees: the outputs ('real') or the controller's commands ('commanded'). */
  readonly readback: 'real' | 'commanded';
  /** True when the readback is 'commanded': the monitor cannot see what the lamps really do. */
  readonly blind: boolean;
}

export type TripListener = (trip: MonitorTrip) => void;
export type ResetListener = (tMs: number) => void;

// Persistent condition slots.
const C_CONFLICT = 0;
const C_DUAL = 1;
const C_DARK = 2;
const C_FLASH_OUT = 3;
const C_RED_CLEAR = 4;
const C_FLASH_RED_OUT = 5;
const C_NO_YELLOW = 6;
const C_WALK_CONFLICT = 7; // a WALK lit with a conflicting channel's green/yellow
const C_PED_DUAL = 8; // WALK and DON'T WALK lit together
const C_FLASH_WALK = 9; // a WALK lit during flash (the transfer drives ped heads dark)
const N_COND = 10;
const COND_FAULT: readonly MonitorFault[] = [
  'conflict',
  'dual-indication',
  'red-fail',
  'output-during-flash',
  'red-clear-cut',
  'red-fail',
  'short-yellow',
  'conflict',
  'dual-indication',
  'output-during-flash',
];

export class ConflictMonitor {
  private readonly clock: Clock;
  private readonly ch: readonly number[];
  private readonly n: number;
  private readonly conflictA: Int32Array;
  private readonly conflictB: Int32Array;
  private readonly conflictWith: boolean[][];
  private readonly minYellow: Float64Array;
  private readonly minRedClear: Float64Array;
  private readonly period: number;
  private readonly persist: number;
  private readonly hbTimeout: number;
  private readonly transfer: FlashTransfer;
  private readonly readFn: (into: Uint8Array) => void;
  private readonly pedFn: ((into: Uint8Array) => void) | undefined;
  private readonly pv: Uint8Array; // WALK, DON'T WALK per channel
  private readonly readbackKind: 'real' | 'commanded';

  private readonly lv: Uint8Array;
  private readonly prev: Uint8Array;
  private readonly yellowOn: Float64Array;
  private readonly yellowEnd: Float64Array;
  private readonly rcViolation: Uint8Array; // green began too soon after a conflicting yellow
  private readonly greenOn: Float64Array; // first sample the current green was seen
  private readonly realGreen: Uint8Array; // the current/last green was seen over >= persistMs: its end needs a yellow
  private readonly noYellow: Uint8Array; // red after a real green with no (or a glitch-short) yellow
  private readonly condSince = new Float64Array(N_COND).fill(-1);
  private readonly condChannel = new Int32Array(N_COND).fill(-1);
  private readonly condOther = new Int32Array(N_COND).fill(-1);
  private wasFlash = false;

  private timer: TimerHandle | undefined;
  private lastBeat = 0;
  private lastSample = -1;
  private prevSample = -1;
  /** The last sample came after a thread stall and did not judge the heartbeat (see sample()). */
  private hbExcused = false;
  private latched: MonitorTrip | null = null;
  private tripCount = 0;
  private readonly tripListeners = new Set<TripListener>();
  private readonly resetListeners = new Set<ResetListener>();
  /** Every trip, oldest first (the monitor's own fault log). */
  readonly log: MonitorTrip[] = [];

  constructor(o: MonitorOptions) {
    this.clock = o.clock;
    this.ch = [...o.channels];
    this.n = this.ch.length;
    this.transfer = o.transfer;
    this.readFn = o.readback;
    this.pedFn = o.pedReadback;
    this.readbackKind = o.readbackKind ?? 'real';
    this.period = o.samplePeriodMs ?? 50;
    this.persist = o.persistMs ?? 200;
    this.hbTimeout = o.heartbeatTimeoutMs ?? 300;
    const idx = new Map(this.ch.map((c, i) => [c, i]));
    const compat = Array.from({ length: this.n }, () => new Array<boolean>(this.n).fill(false));
    for (const [a, b] of o.compatible) {
      const i = idx.get(a);
      const j = idx.get(b);
      if (i === undefined || j === undefined) continue;
      compat[i]![j] = true;
      compat[j]![i] = true;
    }
    this.conflictWith = compat.map((row, i) => row.map((ok, j) => i !== j && !ok));
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < this.n; i++) for (let j = i + 1; j < this.n; j++) if (this.conflictWith[i]![j]) {
      a.push(i);
      b.push(j);
    }
    this.conflictA = Int32Array.from(a);
    this.conflictB = Int32Array.from(b);
    this.minYellow = Float64Array.from(this.ch, (c) => perChannel(o.minYellowMs, c, 2700));
    this.minRedClear = Float64Array.from(this.ch, (c) => perChannel(o.minRedClearMs, c, 0));
    this.lv = new Uint8Array(3 * this.n);
    this.pv = new Uint8Array(2 * this.n);
    this.prev = new Uint8Array(3 * this.n);
    this.yellowOn = new Float64Array(this.n).fill(-Infinity);
    this.yellowEnd = new Float64Array(this.n).fill(-Infinity);
    this.rcViolation = new Uint8Array(this.n);
    this.greenOn = new Float64Array(this.n).fill(-Infinity);
    this.realGreen = new Uint8Array(this.n);
    this.noYellow = new Uint8Array(this.n);
  }

  start(): void {
    if (this.timer) return;
    this.lastBeat = this.clock.now();
    this.hbExcused = false;
    this.readFn(this.prev);
    this.timer = this.clock.setInterval(() => this.sample(), this.period);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** The controller's watchdog output: call at least every heartbeatTimeoutMs. */
  heartbeat(): void {
    this.lastBeat = this.clock.now();
  }

  onTrip(l: TripListener): () => void {
    this.tripListeners.add(l);
    return () => this.tripListeners.delete(l);
  }

  onReset(l: ResetListener): () => void {
    this.resetListeners.add(l);
    return () => this.resetListeners.delete(l);
  }

  get tripped(): boolean {
    return this.latched !== null;
  }

  state(): MonitorState {
    return {
      running: this.timer !== undefined,
      tripped: this.latched !== null,
      trip: this.latched,
      trips: this.tripCount,
      flash: this.transfer.source,
      lastSampleMs: this.lastSample,
      lastHeartbeatMs: this.lastBeat,
      readback: this.readbackKind,
      blind: this.readbackKind !== 'real',
    };
  }

  /**
   * Operator reset. Refused (returns the reason) while a fault is still present: a lamp lit
   * that should be dark, a red that does not light, or no heartbeat.
   */
  reset(): { ok: true } | { ok: false; reason: string } {
    if (!this.latched) return { ok: true };
    const present = this.faultPresent();
    if (present) {
      log('reset refused: %s', present);
      return { ok: false, reason: present };
    }
    log('reset at %d ms', this.clock.now());
    this.latched = null;
    this.condSince.fill(-1);
    this.clearTracking();
    this.transfer.release('monitor');
    this.readFn(this.prev);
    const t = this.clock.now();
    for (const l of this.resetListeners) l(t);
    return { ok: true };
  }

  /** One sample (the timer calls this; tests may too). */
  sample(): void {
    const now = this.clock.now();
    this.prevSample = this.lastSample;
    this.lastSample = now;
    const lv = this.lv;
    try {
      this.readFn(lv);
      this.pedFn?.(this.pv);
    } catch (err) {
      // A monitor that cannot see the lamps cannot vouch for them.
      if (!this.latched) this.trip(now, 'readback', `lamp readback failed: ${err instanceof Error ? err.message : String(err)}`, []);
      return;
    }
    if (this.latched) {
      this.prev.set(lv);
      return;
    }
    if (now - this.lastBeat > this.hbTimeout) {
      // The monitor shares the thread with the controller: when the thread itself stalled
      // (a long GC, the OS starving the process) for longer than the timeout, neither could
      // run, and this sample may simply come before the controller's overdue tick. Such a
      // sample gives the controller one more sample period to beat; it does not judge the
      // heartbeat. Only one sample in a row is excused, so a dead controller on a starved
      // thread still trips at the next sample. The lamp checks below run either way.
      const stalled = this.prevSample >= 0 && now - this.prevSample > this.hbTimeout;
      if (!stalled || this.hbExcused) {
        this.trip(now, 'heartbeat', `controller heartbeat lost for ${now - this.lastBeat} ms`, []);
        return;
      }
      this.hbExcused = true;
    } else this.hbExcused = false;
    const flash = this.transfer.engaged;
    if (flash !== this.wasFlash) {
      // Entering or leaving flash is not a yellow or a clearance: start interval tracking afresh.
      this.wasFlash = flash;
      this.clearTracking();
      this.prev.set(lv);
    }
    if (flash) this.checkFlash(now);
    else this.checkNormal(now);
    if (!this.latched) this.prev.set(lv);
  }

  private clearTracking(): void {
    this.rcViolation.fill(0);
    this.yellowOn.fill(-Infinity);
    this.yellowEnd.fill(-Infinity);
    this.greenOn.fill(-Infinity);
    this.realGreen.fill(0);
    this.noYellow.fill(0);
  }

  private checkNormal(now: number): void {
    const lv = this.lv;
    const prev = this.prev;
    let conflict = -1;
    for (let k = 0; k < this.conflictA.length; k++) {
      const i = this.conflictA[k]!;
      const j = this.conflictB[k]!;
      if ((lv[3 * i + 1]! | lv[3 * i + 2]!) && (lv[3 * j + 1]! | lv[3 * j + 2]!)) {
        conflict = k;
        break;
      }
    }
    // A WALK lit while a conflicting channel shows green/yellow (pedestrians sent into traffic).
    const pv = this.pv;
    let walkCh = -1;
    let walkOther = -1;
    if (this.pedFn) {
      for (let k = 0; k < this.conflictA.length && walkCh < 0; k++) {
        const i = this.conflictA[k]!;
        const j = this.conflictB[k]!;
        if (pv[2 * i] && (lv[3 * j + 1]! | lv[3 * j + 2]!)) {
          walkCh = i;
          walkOther = j;
        } else if (pv[2 * j] && (lv[3 * i + 1]! | lv[3 * i + 2]!)) {
          walkCh = j;
          walkOther = i;
        }
      }
    }
    let pedDual = -1;
    let dual = -1;
    let dark = -1;
    let rc = -1;
    let noYellow = -1;
    for (let i = 0; i < this.n; i++) {
      const r = lv[3 * i]!;
      const y = lv[3 * i + 1]!;
      const g = lv[3 * i + 2]!;
      if (r + y + g > 1 && dual < 0) dual = i;
      if (pv[2 * i] && pv[2 * i + 1] && pedDual < 0) pedDual = i;
      if (r + y + g === 0 && dark < 0) dark = i;
      const pr = prev[3 * i]!;
      const py = prev[3 * i + 1]!;
      const pg = prev[3 * i + 2]!;
      // A green seen lit over >= persistMs is real: its end must be followed by a full yellow.
      if (g && !pg) this.greenOn[i] = now;
      if (g && now - this.greenOn[i]! >= this.persist) this.realGreen[i] = 1;
      // Yellow interval tracking (short yellow is judged when the yellow ends).
      if (y && !py) this.yellowOn[i] = now;
      if (!y && py) {
        // Seen lit from yellowOn to the previous sample: a span under persistMs is a glitch.
        const seen = this.prevSample - this.yellowOn[i]!;
        const dur = now - this.yellowOn[i]!; // within ± one period of the real yellow
        if (seen >= this.persist && dur + this.period < this.minYellow[i]!) {
          this.trip(now, 'short-yellow', `channel ${this.ch[i]} yellow ${dur} ms < ${this.minYellow[i]} ms`, [this.ch[i]!]);
          return;
        }
        if (seen >= this.persist) this.yellowEnd[i] = now;
      }
      // Red after a real green: the yellow in between must have been seen (>= persistMs; shorter
      // ones trip above). None, or a glitch-short one, is a skipped yellow: it trips if the red
      // lasts persistMs (a red glitch inside a green does not), and it starts the red clearance.
      const redOnly = r === 1 && y === 0 && g === 0;
      if (redOnly && !(pr === 1 && py === 0 && pg === 0) && this.realGreen[i]) {
        this.realGreen[i] = 0;
        const yellowSeen = this.yellowOn[i]! > this.greenOn[i]! ? this.prevSample - this.yellowOn[i]! : 0;
        if (yellowSeen < this.persist) {
          this.noYellow[i] = 1;
          this.yellowEnd[i] = now;
        }
      }
      if (!redOnly) this.noYellow[i] = 0;
      if (this.noYellow[i] && noYellow < 0) noYellow = i;
      // Red clearance: a green must not begin until every conflicting channel's clearance ran.
      if (g && !pg) {
        this.rcViolation[i] = 0;
        for (let j = 0; j < this.n; j++) {
          if (!this.conflictWith[i]![j]) continue;
          if (now - this.yellowEnd[j]! + this.period < this.minRedClear[j]!) {
            this.rcViolation[i] = 1;
            this.condOther[C_RED_CLEAR] = j;
          }
        }
      }
      if (!g) this.rcViolation[i] = 0;
      if (this.rcViolation[i] && rc < 0) rc = i;
    }
    this.cond(C_CONFLICT, conflict >= 0, now, conflict >= 0 ? this.conflictA[conflict]! : -1, conflict >= 0 ? this.conflictB[conflict]! : -1);
    this.cond(C_DUAL, dual >= 0, now, dual, -1);
    this.cond(C_DARK, dark >= 0, now, dark, -1);
    this.cond(C_RED_CLEAR, rc >= 0, now, rc, this.condOther[C_RED_CLEAR]!);
    this.cond(C_NO_YELLOW, noYellow >= 0, now, noYellow, -1);
    this.cond(C_WALK_CONFLICT, walkCh >= 0, now, walkCh, walkOther);
    this.cond(C_PED_DUAL, pedDual >= 0, now, pedDual, -1);
    this.cond(C_FLASH_OUT, false, now, -1, -1);
    this.cond(C_FLASH_RED_OUT, false, now, -1, -1);
    this.cond(C_FLASH_WALK, false, now, -1, -1);
  }

  private checkFlash(now: number): void {
    const lv = this.lv;
    const pv = this.pv;
    let lit = -1;
    let walk = -1;
    let redOut = -1;
    const redLit = this.transfer.redLit;
    for (let i = 0; i < this.n; i++) {
      if ((lv[3 * i + 1]! | lv[3 * i + 2]!) && lit < 0) lit = i;
      // Ped heads are dark in flash; a lit DON'T WALK is the safe side and is not a fault.
      if (pv[2 * i] && walk < 0) walk = i;
      if (redLit && !lv[3 * i]! && redOut < 0) redOut = i;
    }
    this.cond(C_FLASH_OUT, lit >= 0, now, lit, -1);
    this.cond(C_FLASH_WALK, walk >= 0, now, walk, -1);
    // Lamp-out during flash is seen only in the lit half; the dark half neither clears nor confirms it.
    if (redLit) this.cond(C_FLASH_RED_OUT, redOut >= 0, now, redOut, -1);
    this.condSince[C_CONFLICT] = -1;
    this.condSince[C_DUAL] = -1;
    this.condSince[C_DARK] = -1;
    this.condSince[C_RED_CLEAR] = -1;
    this.condSince[C_NO_YELLOW] = -1;
    this.condSince[C_WALK_CONFLICT] = -1;
    this.condSince[C_PED_DUAL] = -1;
  }

  private cond(k: number, present: boolean, now: number, ch: number, other: number): void {
    if (this.latched) return;
    if (!present) {
      this.condSince[k] = -1;
      return;
    }
    if (this.condSince[k]! < 0) {
      this.condSince[k] = now;
      this.condChannel[k] = ch;
    }
    if (now - this.condSince[k]! >= this.persist) {
      const chans = [this.ch[ch]!];
      if (other >= 0) chans.push(this.ch[other]!);
      const fault = COND_FAULT[k]!;
      this.trip(now, fault, describe(k, chans, now - this.condSince[k]!), chans);
    }
  }

  private trip(now: number, fault: MonitorFault, reason: string, channels: number[]): void {
    const trip: MonitorTrip = { t: now, fault, reason, channels };
    this.latched = trip;
    this.tripCount++;
    this.log.push(trip);
    this.transfer.engage('monitor'); // never throws: a dead output is skipped, the flash goes on
    log('TRIP at %d ms: %s (%s) → all-red flash, latched', now, fault, reason);
    for (const l of this.tripListeners) {
      try {
        l(trip);
      } catch (err) {
        log('trip listener failed: %O', err);
      }
    }
  }

  /** A fault still there now, described, or null. Used to refuse a reset. */
  private faultPresent(): string | null {
    const now = this.clock.now();
    if (now - this.lastBeat > this.hbTimeout) return `controller heartbeat absent for ${now - this.lastBeat} ms`;
    try {
      this.readFn(this.lv);
      this.pedFn?.(this.pv);
    } catch (err) {
      return `lamp readback fails: ${err instanceof Error ? err.message : String(err)}`;
    }
    for (let i = 0; i < this.n; i++) {
      if (this.lv[3 * i + 1] || this.lv[3 * i + 2]) return `channel ${this.ch[i]} shows green/yellow during flash`;
      if (this.pv[2 * i]) return `channel ${this.ch[i]} WALK lit during flash`;
      if (this.transfer.redLit && !this.lv[3 * i]) return `channel ${this.ch[i]} red does not light`;
    }
    if (!this.transfer.redLit) {
      // In the dark half of the flash a red lamp-out cannot be seen: use the last lit-half sample.
      if (this.condSince[C_FLASH_RED_OUT]! >= 0) return `channel ${this.ch[this.condChannel[C_FLASH_RED_OUT]!]} red does not light`;
    }
    return null;
  }
}

function perChannel(v: number | Readonly<Record<number, number>> | undefined, ch: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v === 'number') return v;
  return v[ch] ?? dflt;
}

function describe(k: number, chans: number[], ms: number): string {
  switch (k) {
    case C_CONFLICT:
      return `conflicting indications on channels ${chans.join(' and ')} for ${ms} ms`;
    case C_DUAL:
      return `more than one colour lit on channel ${chans[0]} for ${ms} ms`;
    case C_DARK:
    case C_FLASH_RED_OUT:
      return `no indication (red fail) on channel ${chans[0]} for ${ms} ms`;
    case C_RED_CLEAR:
      return `channel ${chans[0]} green began before channel ${chans[1]}'s red clearance ended`;
    case C_NO_YELLOW:
      return `channel ${chans[0]} went from green to red without a yellow`;
    case C_FLASH_OUT:
      return `channel ${chans[0]} shows green/yellow during flash for ${ms} ms`;
    case C_WALK_CONFLICT:
      return `WALK on channel ${chans[0]} with conflicting channel ${chans[1]} green/yellow for ${ms} ms`;
    case C_PED_DUAL:
      return `WALK and DON'T WALK lit together on channel ${chans[0]} for ${ms} ms`;
    case C_FLASH_WALK:
      return `channel ${chans[0]} shows WALK during flash for ${ms} ms`;
    default:
      return COND_FAULT[k] ?? 'fault';
  }
}
