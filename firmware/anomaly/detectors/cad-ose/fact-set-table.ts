import { mix } from './int-map.js';

/**
 * The left semi-contexts of CAD OSE: distinct sorted sets of facts (ints), each with a dense
 * id in creation order. Sets live back to back in one Int32Array pool; an open-addressing
 * table of ids keyed by a hash of the set finds a set in O(its length). Fixed capacity in
 * both sets and pooled facts: `add` returns -1 when either is full.
 */
export class FactSetTable {
  readonly start: Int32Array;
  readonly length: Int32Array;
  /** A hash of the set, also CAD OSE's tie-break when ranking active contexts. */
  readonly hash: Uint32Array;
  readonly pool: Int32Array;
  count = 0;
  poolUsed = 0;
  private readonly slots: Int32Array;
  private readonly slotMask: number;

  constructor(
    readonly capacity: number,
    poolCapacity: number,
  ) {
    this.start = new Int32Array(capacity);
    this.length = new Int32Array(capacity);
    this.hash = new Uint32Array(capacity);
    this.pool = new Int32Array(poolCapacity);
    let slots = 2;
    while (slots < 2 * capacity) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
    this.slotMask = slots - 1;
  }

  /** The id of the set facts[from .. from+n), or -1. */
  find(facts: Int32Array, from: number, n: number): number {
    const h = hashFacts(facts, from, n);
    let i = h & this.slotMask;
    for (;;) {
      const id = this.slots[i]!;
      if (id === -1) return -1;
      if (this.hash[id] === h && this.sameFacts(id, facts, from, n)) return id;
      i = (i + 1) & this.slotMask;
    }
  }

  /** Stores a set known to be absent; its id, or -1 when the table or pool is full. */
  add(facts: Int32Array, from: number, n: number): number {
    if (this.count >= this.capacity || this.poolUsed + n > this.pool.length) return -1;
    const id = this.count++;
    const h = hashFacts(facts, from, n);
    this.start[id] = this.poolUsed;
    this.length[id] = n;
    this.hash[id] = h;
    for (let k = 0; k < n; k++) this.pool[this.poolUsed + k] = facts[from + k]!;
    this.poolUsed += n;
    let i = h & this.slotMask;
    while (this.slots[i] !== -1) i = (i + 1) & this.slotMask;
    this.slots[i] = id;
    return id;
  }

  clear(): void {
    this.slots.fill(-1);
    this.count = 0;
    this.poolUsed = 0;
  }

  private sameFacts(id: number, facts: Int32Array, from: number, n: number): boolean {
    if (this.length[id] !== n) return false;
    const s = this.start[id]!;
    for (let k = 0; k < n; k++) if (this.pool[s + k] !== facts[from + k]) return false;
    return true;
  }
}

/** Order-sensitive hash of a sorted fact list (callers always pass sets sorted ascending). */
export function hashFacts(facts: Int32Array, from: number, n: number): number {
  let h = 0x345678 ^ n;
  for (let k = 0; k < n; k++) h = mix(((h ^ facts[from + k]!) + Math.imul(0x9e3779b9, k + 1)) | 0);
  return h >>> 0;
}
