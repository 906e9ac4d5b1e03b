/**
 * Serialises work on one I2C bus: jobs run one after another, never two transactions at once
 * (the I2cBus contract leaves that to the caller). Each bus gets its own queue, so a bus whose
 * transactions hang only delays its own sensors. The ring is sized for its jobs: a job is in
 * the queue at most once, so enqueueing never allocates.
 */
export class BusQueue<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private size = 0;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    capacity: number,
    private readonly run: (job: T) => Promise<void>,
  ) {
    this.ring = new Array<T | undefined>(Math.max(1, capacity));
  }

  get length(): number {
    return this.size;
  }

  get busy(): boolean {
    return this.running;
  }

  /** Adds a job; the caller guarantees it is not already queued. */
  push(job: T): void {
    if (this.size === this.ring.length) throw new Error(`bus queue ${this.name} is full (${this.size})`);
    this.ring[(this.head + this.size) % this.ring.length] = job;
    this.size++;
    if (!this.running) void this.pump();
  }

  /** Resolves when the queue is empty and nothing runs. */
  idle(): Promise<void> {
    if (!this.running && this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.size > 0) {
      const job = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
      try {
        await this.run(job);
      } catch {
        // `run` is expected not to throw (Sensor.poll never does); one bad job must not stop the bus
      }
    }
    this.running = false;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
