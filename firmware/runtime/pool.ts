/**
 * A free list of preallocated objects (events, uplink messages). The hot path takes one with
 * `acquire()`, fills it, and whoever consumes it gives it back with `release()`, so a steady
 * stream of alerts does not feed the garbage collector. When the pool runs dry it grows
 * (counted in `grown`): an alert is never refused for want of an object.
 */
export class ObjectPool<T> {
  private readonly free: T[] = [];
  /** Objects created beyond the initial size: nonzero means `size` is too small. */
  grown = 0;
  private created = 0;

  constructor(
    private readonly create: () => T,
    private readonly reset: (item: T) => void,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.free.push(create());
    this.created = size;
  }

  acquire(): T {
    const item = this.free.pop();
    if (item !== undefined) return item;
    this.grown++;
    this.created++;
    return this.create();
  }

  release(item: T): void {
    this.reset(item);
    this.free.push(item);
  }

  /** Objects currently lent out. */
  get inUse(): number {
    return this.created - this.free.length;
  }

  get available(): number {
    return this.free.length;
  }
}
