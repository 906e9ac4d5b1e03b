import type { Clock, TimerHandle } from '../hal/clock.js';
import { BusQueue } from './bus-queue.js';
import type { SensorCounters } from './sensor-counters.js';
import type { Sensor, SensorState } from './sensor.js';

/**
 * Receives every value of every good sample. `channel` indexes `channelNames(sensor)`;
 * `tMs` is the clock time the reading completed. Called synchronously, once per channel,
 * with nothing allocated: copy what you keep.
 */
export type SampleListener = (sensor: string, channel: number, tMs: number, value: number) => void;

interface Entry {
  readonly sensor: Sensor;
  readonly queue: BusQueue<Entry>;
  /** Time of poll 0; poll k is due at t0 + round(k · period), so rounding never accumulates. */
  t0: number;
  k: number;
  /** Clock time of poll k. */
  due: number;
  /** Waiting in its bus queue or running: a new due time meanwhile is an overrun. */
  pending: boolean;
  polls: number;
}

export interface SchedulerStats {
  sensor: string;
  chip: string;
  bus: string;
  address: number;
  polls: number;
  overruns: number;
  state: SensorState;
  stale: boolean;
  /** Age of the last good reading, ms (Infinity before the first). */
  ageMs: number;
  lastError: string | undefined;
  counters: SensorCounters;
}

/**
 * Polls each sensor at its own rate from due times on the clock (no drift: the next due time
 * is computed from the first, never from when the last poll ran), skipping ahead and counting
 * overruns when it falls behind, with one queue per bus so transactions on a bus are
 * serialised and buses are independent. Nothing here blocks: a sensor whose bus hangs delays
 * only the sensors queued behind it on that bus.
 *
 * One timer serves every sensor: it is armed for the earliest due time, and each firing starts
 * every poll that is due. Sensors at the same rate (the common case: a cabinet at 100 Hz)
 * start together, so the thread wakes once per period rather than once per sensor per period.
 */
export class SamplingScheduler {
  private readonly entries: Entry[] = [];
  private readonly queues = new Map<string, BusQueue<Entry>>();
  /** Sensors added before start(), grouped by bus name. */
  private readonly pendingByBus = new Map<string, Sensor[]>();
  private readonly added = new Map<string, Sensor>();
  private running = false;
  private timer: TimerHandle | undefined;
  private readonly onTimer = (): void => this.fireDue();

  constructor(
    private readonly clock: Clock,
    private readonly onSample: SampleListener,
  ) {}

  /** Adds a sensor (before `start`). Sensors on the same `driver.bus` object share a queue. */
  add(sensor: Sensor): void {
    if (this.running) throw new Error('add sensors before start()');
    if (this.added.has(sensor.name)) throw new Error(`sensor "${sensor.name}" added twice`);
    const busName = sensor.driver.bus.name;
    const list = this.pendingByBus.get(busName) ?? [];
    list.push(sensor);
    this.pendingByBus.set(busName, list);
    this.added.set(sensor.name, sensor);
  }

  /** Channel names of a sensor, indexed by the `channel` argument of the listener. */
  channelNames(sensor: string): readonly string[] {
    const s = this.added.get(sensor);
    if (!s) throw new Error(`no sensor "${sensor}"`);
    return s.channels;
  }

  get sensors(): readonly Sensor[] {
    return [...this.added.values()];
  }

  sensor(name: string): Sensor | undefined {
    return this.added.get(name);
  }

  /**
   * Starts polling. Each sensor's polls fall on the multiples of its period on the clock (the
   * first at the first multiple not before now, so within one period): a 100 Hz sensor is
   * polled at …0 ms, the same millisecond as the control loop's 10 ms tick (which SystemClock's
   * setAlignedInterval aligns the same way), and the thread wakes once for both. Sensors on one bus share its queue.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.clock.now();
    for (const [busName, list] of this.pendingByBus) {
      const queue = new BusQueue<Entry>(busName, list.length, (e) => this.runPoll(e));
      this.queues.set(busName, queue);
      for (const sensor of list) {
        const t0 = Math.round(Math.ceil(now / sensor.periodMs) * sensor.periodMs);
        this.entries.push({ sensor, queue, t0, k: 0, due: t0, pending: false, polls: 0 });
      }
    }
    this.pendingByBus.clear();
    this.arm(now);
  }

  /**
   * Stops the timers; polls already queued or running finish on their own (their op timeouts
   * bound them) but emit nothing more. Does not wait for them: on a virtual clock that nobody
   * advances any more, waiting could never end. Use `idle()` to wait (e.g. before closing buses).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    for (const e of this.entries) e.sensor.stop();
  }

  /** Resolves when no poll is queued or running on any bus. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.idle()));
  }

  stats(now = this.clock.now()): SchedulerStats[] {
    return this.entries.map((e) => ({
      sensor: e.sensor.name,
      chip: e.sensor.driver.chip,
      bus: e.queue.name,
      address: e.sensor.driver.address,
      polls: e.polls,
      overruns: e.sensor.counters.overruns,
      state: e.sensor.state,
      stale: e.sensor.isStale(now),
      ageMs: e.sensor.ageMs(now),
      lastError: e.sensor.lastError,
      counters: e.sensor.counters,
    }));
  }

  private dueOf(e: Entry, k: number): number {
    return e.t0 + Math.round(k * e.sensor.periodMs);
  }

  /** Arms the one timer for the earliest due time of all sensors. */
  private arm(now: number): void {
    let next = Infinity;
    for (const e of this.entries) if (e.due < next) next = e.due;
    if (next === Infinity) return;
    this.timer = this.clock.setTimeout(this.onTimer, next - now);
  }

  private fireDue(): void {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    for (const e of this.entries) if (e.due <= now) this.fire(e, now);
    this.arm(now);
  }

  private fire(e: Entry, now: number): void {
    if (e.pending) e.sensor.counters.overruns++;
    else {
      e.pending = true;
      e.queue.push(e);
    }
    e.k++;
    let due = this.dueOf(e, e.k);
    if (due <= now) {
      // Late (a blocked event loop, a long GC): skip the missed slots instead of a burst.
      const missed = Math.floor((now - due) / e.sensor.periodMs) + 1;
      e.sensor.counters.overruns += missed;
      e.k += missed;
      due = this.dueOf(e, e.k);
      if (due <= now) {
        e.k++;
        due = this.dueOf(e, e.k);
      }
    }
    e.due = due;
  }

  private async runPoll(e: Entry): Promise<void> {
    try {
      if (!this.running) return;
      e.polls++;
      if ((await e.sensor.poll()) && this.running) {
        const s = e.sensor;
        const v = s.values;
        const t = s.lastGoodMs;
        for (let c = 0; c < v.length; c++) this.onSample(s.name, c, t, v[c]!);
      }
    } finally {
      e.pending = false;
    }
  }
}
