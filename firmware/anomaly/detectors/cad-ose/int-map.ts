/**
 * A fixed-capacity open-addressing map from non-negative int32 keys to int32 values, for the
 * context memory's lookups (CAD OSE keeps them in Python dicts). Linear probing over a
 * power-of-two table at most half full; nothing is ever deleted, so no tombstones. `set`
 * refuses (returns false) instead of growing: the caller decides what "memory full" means.
 */
export class IntMap {
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  private readonly limit: number;
  size = 0;

  constructor(capacity: number) {
    let slots = 2;
    while (slots < 2 * capacity) slots *= 2;
    this.keys = new Int32Array(slots).fill(-1);
    this.values = new Int32Array(slots);
    this.mask = slots - 1;
    this.limit = capacity;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    let i = mix(key) & this.mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** Stores a new key (the caller has checked it is absent); false when the map is full. */
  set(key: number, value: number): boolean {
    if (this.size >= this.limit) return false;
    let i = mix(key) & this.mask;
    while (this.keys[i] !== -1) i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.values[i] = value;
    this.size++;
    return true;
  }

  clear(): void {
    this.keys.fill(-1);
    this.size = 0;
  }
}

/** Spreads consecutive ids over the table (murmur3's finaliser). */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
