/**
 * Queues at the boundaries between pipeline stages. Each has a capacity and one of two
 * stated policies:
 *
 * - `drop-oldest` (sensor samples, telemetry, dashboard frames): when full, the oldest item is
 *   discarded and counted. Fresh data is worth more than stale data, and the producer (the
 *   control thread) must never wait.
 * - `spill` (alerts, faults): never dropped. When full, the item goes straight to `spill`,
 *   which is the uplink's durable outbox (or the event log when there is no uplink). The
 *   producer still never waits; the cost of a flood is disk, not lost faults.
 */
export type QueuePolicy = 'drop-oldest' | 'spill';

export interface StageReport {
  readonly name: string;
  readonly policy: QueuePolicy;
  readonly capacity: number;
  readonly depth: number;
  readonly enqueued: number;
  readonly dropped: number;
  readonly spilled: number;
  /** Age in ms of the oldest item waiting (0 when empty): how far behind the consumer is. */
  readonly lagMs: number;
}

export interface Stage {
  report(nowMs: number): StageReport;
}

export class BoundedQueue<T> implements Stage {
  private readonly items: (T | undefined)[];
  private readonly times: Float64Array;
  private head = 0; // next to shift
  private size = 0;
  enqueued = 0;
  dropped = 0;
  spilled = 0;

  constructor(
    readonly name: string,
    readonly capacity: number,
    readonly policy: QueuePolicy,
    private readonly options: {
      /** Required for `spill`: where items go when the queue is full. */
      spill?: (item: T) => void;
      /** Called with each item dropped under `drop-oldest` (to return it to its pool). */
      onDrop?: (item: T) => void;
    } = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`${name}: capacity must be a positive integer`);
    if (policy === 'spill' && !options.spill) throw new Error(`${name}: a spill queue needs a spill target`);
    this.items = new Array(capacity).fill(undefined);
    this.times = new Float64Array(capacity);
  }

  get depth(): number {
    return this.size;
  }

  push(item: T, tMs: number): void {
    this.enqueued++;
    if (this.size === this.capacity) {
      if (this.policy === 'spill') {
        this.spilled++;
        this.options.spill!(item);
        return;
      }
      const old = this.items[this.head]!;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      this.dropped++;
      this.options.onDrop?.(old);
    }
    const tail = (this.head + this.size) % this.capacity;
    this.items[tail] = item;
    this.times[tail] = tMs;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  report(nowMs: number): StageReport {
    return {
      name: this.name,
      policy: this.policy,
      capacity: this.capacity,
      depth: this.size,
      enqueued: this.enqueued,
      dropped: this.dropped,
      spilled: this.spilled,
      lagMs: this.size === 0 ? 0 : Math.max(0, nowMs - this.times[this.head]!),
    };
  }
}

/**
 * The sampler → detector boundary, as parallel typed arrays (stream index, time, value) so a
 * 100 Hz stream allocates nothing per sample. Policy: drop-oldest, counted.
 */
export class SampleQueue implements Stage {
  readonly policy = 'drop-oldest' as const;
  private readonly streams: Int32Array;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private size = 0;
  enqueued = 0;
  dropped = 0;
  /** Filled by `shift()`: the item just taken out (avoids returning an object). */
  outStream = -1;
  outTime = 0;
  outValue = 0;

  constructor(
    readonly name: string,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`${name}: capacity must be a positive integer`);
    this.streams = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get depth(): number {
    return this.size;
  }

  push(stream: number, tMs: number, value: number): void {
    this.enqueued++;
    if (this.size === this.capacity) {
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
      this.size--;
      this.dropped++;
    }
    let tail = this.head + this.size;
    if (tail >= this.capacity) tail -= this.capacity;
    this.streams[tail] = stream;
    this.times[tail] = tMs;
    this.values[tail] = value;
    this.size++;
  }

  /** Takes the oldest sample into outStream/outTime/outValue; false when empty. */
  shift(): boolean {
    if (this.size === 0) return false;
    const h = this.head;
    this.outStream = this.streams[h]!;
    this.outTime = this.times[h]!;
    this.outValue = this.values[h]!;
    this.head = h + 1 === this.capacity ? 0 : h + 1;
    this.size--;
    return true;
  }

  report(nowMs: number): StageReport {
    return {
      name: this.name,
      policy: this.policy,
      capacity: this.capacity,
      depth: this.size,
      enqueued: this.enqueued,
      dropped: this.dropped,
      spilled: 0,
      lagMs: this.size === 0 ? 0 : Math.max(0, nowMs - this.times[this.head]!),
    };
  }
}
