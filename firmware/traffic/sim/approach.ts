/**
 * One approach's vehicles as a point queue. Queued vehicles leave one every `headwayMs`
 * (3600/saturation s) during the effective green, which starts `startupLostMs` after the
 * displayed green and ends `yellowUsedMs` into the yellow. A vehicle that reaches an empty
 * queue while the approach shows green (or is inside its effective green) passes undelayed. Times are float ms; departures are computed exactly, not per step.
 */
export class Approach {
  private q = new Float64Array(1024);
  private head = 0;
  private tail = 0;
  private nextFree = -Infinity;
  private egStart = Infinity;
  private egEnd = Infinity;
  private green = false;
  /** Statistics (vehicles that arrived at or after `countFrom`). */
  vehicles = 0;
  delaySum = 0;
  maxQueue = 0;

  constructor(
    private readonly headwayMs: number,
    private readonly startupLostMs: number,
    private readonly yellowUsedMs: number,
    private readonly countFrom = 0,
  ) {}

  get queued(): number {
    return this.tail - this.head;
  }

  /** The displayed indication changed at time t. */
  indication(ind: string, t: number): void {
    const g = ind === 'green';
    if (g && !this.green) {
      this.drain(t);
      this.egStart = t + this.startupLostMs;
      this.egEnd = Infinity;
    } else if (!g && this.green) {
      this.egEnd = t + (ind === 'yellow' ? this.yellowUsedMs : 0);
    }
    this.green = g;
  }

  arrive(t: number): void {
    this.drain(t);
    const inEffective = t >= this.egStart && t < this.egEnd;
    if (this.queued === 0 && (this.green || inEffective)) {
      // As the issue states it: an empty queue on green means no delay, even right behind the
      // last queued vehicle; the stop line is then busy for one headway after it.
      this.nextFree = Math.max(this.nextFree, t) + this.headwayMs;
      this.record(t, 0);
      return;
    }
    if (this.tail === this.q.length) this.grow();
    this.q[this.tail++] = t;
    if (this.queued > this.maxQueue && t >= this.countFrom) this.maxQueue = this.queued;
  }

  /** Departs every queued vehicle whose departure time is <= t. */
  drain(t: number): void {
    while (this.head < this.tail) {
      const a = this.q[this.head]!;
      const d = Math.max(a, this.nextFree, this.egStart);
      if (d > t || d >= this.egEnd) return;
      this.head++;
      this.nextFree = d + this.headwayMs;
      // A queued vehicle is served over one headway slot; it counts as gone at the slot's middle,
      // which is where the fluid (Webster) model has that vehicle's share of the discharge.
      this.record(a, d > a ? d - a + this.headwayMs / 2 : 0);
    }
  }

  private record(arrival: number, delay: number): void {
    if (arrival < this.countFrom) return;
    this.vehicles++;
    this.delaySum += delay;
  }

  private grow(): void {
    const n = this.tail - this.head;
    const next = new Float64Array(Math.max(1024, n * 2));
    next.set(this.q.subarray(this.head, this.tail));
    this.q = next;
    this.head = 0;
    this.tail = n;
  }
}
