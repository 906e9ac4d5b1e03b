/**
 * A replaceable monotonic clock. Controller, monitor, detectors and schedulers take one as an
 * argument and never read `Date.now()`: wall time jumps (NTP, an RTC-less Pi booting in 1970),
 * and tests and the simulator need to run hours of traffic in a second.
 * Times are integer milliseconds.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Monotonic integer milliseconds since an arbitrary origin. */
  now(): number;
  /** Calls `fn` once, `ms` from now (never synchronously). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Calls `fn` every `ms`, scheduled from the previous due time so it does not drift. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /**
   * Like setInterval, but due on the multiples of `ms` on this clock's timeline, armed in whole
   * ms, so that work of equal or harmonic periods (the control loop's 10 ms tick and 100 Hz
   * sensor polls, which the sampling scheduler aligns the same way) falls due in the same
   * millisecond and the thread wakes once for all of it. Optional: without it, setInterval.
   *
   * Only for work whose order within that millisecond does not matter. The controller and the
   * conflict monitor keep plain intervals on purpose: aligned, the monitor's sample and the
   * controller's tick fell due in the same millisecond and ran in either order, so the monitor
   * saw one transition a sample period late and the next one on time, measured a red clearance
   * a period short and tripped (once in a 10-minute bench run, on a correct controller).
   */
  setAlignedInterval?(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
}

/** A SystemClock timer: the Node timer lives in the handle, so arming and clearing need no lookup table. */
interface SystemTimer extends TimerHandle {
  t: NodeJS.Timeout | undefined;
}

/**
 * Production clock: `performance.now()` and Node timers; intervals are re-anchored to avoid drift.
 * Cheap per period on purpose (the sampling scheduler and the control loop arm one every 10 ms):
 * an interval re-arms with the same bound function, and a handle carries its Node timer, so a
 * period costs one Node Timeout and nothing else.
 */
export class SystemClock implements Clock {
  private nextId = 1;

  now(): number {
    return Math.floor(performance.now());
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h: SystemTimer = { id: this.nextId++, t: undefined };
    h.t = setTimeout(fn, Math.max(0, ms));
    return h;
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.every(fn, ms, false);
  }

  setAlignedInterval(fn: () => void, ms: number): TimerHandle {
    return this.every(fn, ms, true);
  }

  /**
   * Both intervals. A plain one is due every `ms` from now, armed with the exact (fractional)
   * delay; an aligned one is due on the multiples of `ms` (see Clock), armed in whole
   * milliseconds: Node keys its timer lists by the delay, and a fractional delay made a new
   * list, and a new key in its table, on every period.
   */
  private every(fn: () => void, ms: number, aligned: boolean): TimerHandle {
    if (!(ms > 0)) throw new RangeError(`interval must be > 0 ms, got ${ms}`);
    const h: SystemTimer = { id: this.nextId++, t: undefined };
    const start = performance.now();
    let due = aligned ? alignedAfter(start, ms) : start + ms;
    const fire = (): void => {
      due += ms;
      // If we fell behind by more than a period (a long GC, a suspended VM), skip ahead on the
      // same phase rather than firing a burst of catch-up calls.
      const now = performance.now();
      if (due < now) due = aligned ? alignedAfter(now, ms) : now + ms - ((now - due) % ms);
      // Re-armed before fn runs, so fn may clear its own interval.
      h.t = setTimeout(fire, aligned ? Math.ceil(due - now) : Math.max(0, due - now));
      fn();
    };
    h.t = setTimeout(fire, aligned ? Math.ceil(due - start) : ms);
    return h;
  }

  clearTimer(handle: TimerHandle | undefined): void {
    const h = handle as SystemTimer | undefined;
    if (!h || !('t' in h)) return;
    clearTimeout(h.t);
    h.t = undefined;
  }
}

/** The first multiple of `period` strictly after `t` (same units). */
export function alignedAfter(t: number, period: number): number {
  return (Math.floor(t / period) + 1) * period;
}

interface VirtualTimer {
  id: number;
  due: number;
  seq: number;
  period: number; // 0 = one-shot
  fn: () => void;
}

/**
 * Deterministic clock for tests and the simulator: time moves only when `advance`/`runUntil`
 * is called, and timers fire in (due, creation) order. A binary heap keeps it fast enough
 * for hours of simulated traffic per wall second.
 */
export class VirtualClock implements Clock {
  private t: number;
  private nextId = 1;
  private seq = 0;
  private heap: VirtualTimer[] = [];
  private readonly live = new Map<number, VirtualTimer>();

  constructor(startMs = 0) {
    this.t = Math.floor(startMs);
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(1, Math.floor(ms)), 0);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    if (!(ms >= 1)) throw new RangeError(`interval must be >= 1 ms, got ${ms}`);
    return this.add(fn, Math.floor(ms), Math.floor(ms));
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) this.live.delete(handle.id);
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.live.size;
  }

  /** Due time of the next live timer, or undefined. */
  nextDue(): number | undefined {
    this.dropDead();
    return this.heap[0]?.due;
  }

  /** Advances time by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    this.runUntil(this.t + Math.floor(ms));
  }

  /** Fires timers up to and including `tMs`, then leaves the clock at `tMs`. */
  runUntil(tMs: number): void {
    for (;;) {
      this.dropDead();
      const top = this.heap[0];
      if (!top || top.due > tMs) break;
      this.pop();
      this.t = top.due;
      if (top.period > 0) {
        top.due += top.period;
        top.seq = this.seq++;
        this.push(top);
      } else {
        this.live.delete(top.id);
      }
      top.fn();
    }
    if (tMs > this.t) this.t = tMs;
  }

  /**
   * Like `advance`, but lets promise continuations run between timers, so code that awaits
   * (I2C transactions on the sim bus) makes progress as it would in real time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.t + Math.floor(ms);
    for (;;) {
      await flushMicrotasks();
      const due = this.nextDue();
      if (due === undefined || due > end) break;
      this.runUntil(due);
    }
    if (end > this.t) this.t = end;
    await flushMicrotasks();
  }

  private add(fn: () => void, delay: number, period: number): TimerHandle {
    const id = this.nextId++;
    const timer: VirtualTimer = { id, due: this.t + delay, seq: this.seq++, period, fn };
    this.live.set(id, timer);
    this.push(timer);
    return { id };
  }

  private dropDead(): void {
    while (this.heap.length > 0 && this.live.get(this.heap[0]!.id) !== this.heap[0]) this.pop();
  }

  private less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(x: VirtualTimer): void {
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): VirtualTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Lets pending promise continuations (several hops deep) run. */
export async function flushMicrotasks(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
