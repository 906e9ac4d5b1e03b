import { FactSetTable } from './fact-set-table.js';
import { IntMap, mix } from './int-map.js';

/** Capacities and the algorithm's own constants (CAD OSE's defaults in brackets). */
export interface ContextOperatorOptions {
  /** Number of distinct sensor facts: 2 per value bit [3 bits → 6]. */
  readonly sensorFacts: number;
  /** Longest matched left part a potential new context may have [7]. */
  readonly maxLeftMatch: number;
  /** Active contexts fed back as "neuron" facts [15]. */
  readonly maxNeurons: number;
  /** Fixed memory: contexts, left semi-contexts, facts pooled in them, potential contexts per step. */
  readonly maxContexts: number;
  readonly maxLeftSets: number;
  readonly leftPool: number;
  readonly maxPotentials: number;
  /** Compute `predicted` (the first published version's gate); off, the crossing only marks. */
  readonly predicts: boolean;
}

/**
 * The context memory of CAD OSE (Contextual Anomaly Detector, open source edition,
 * M. Smirnov 2016), written from the algorithm, not translated from its AGPL-3.0 Python
 * (see cad-ose.ts for the description and what differs).
 *
 * A context is a pair (left facts, right facts): "after these facts came those". The left
 * part is a set of facts from the previous step (sensor facts of the previous value plus the
 * ids of the contexts that were active then, the "neurons"); the right part is a set of the
 * current value's sensor facts. Right parts here are bit masks over the sensor facts (there
 * are only 2^sensorFacts of them); left parts are interned sets in a FactSetTable. Each step:
 *
 * 1. the whole transition (previous left facts → current sensor facts) is looked up as a
 *    "zero-level" context and stored if new;
 * 2. every context whose left part was wholly present at the previous step is a selected
 *    context: it counts how many of its right facts it predicted, and it is *active* when
 *    its right part is wholly present now; contexts whose left or right part only partly
 *    matched spawn "potential" contexts made of the matched parts (only while the step brought
 *    a new zero-level context, and only from zero-level contexts);
 * 3. the most often active contexts (at most `maxNeurons`) become facts of the next left part;
 * 4. the potentials are stored (the share of them that was new is the second score input),
 *    and the contexts whose left part is wholly present in the new left facts predict the
 *    next sensor facts: the right parts of those with the best hit ratio.
 *
 * Everything is preallocated; when a table is full new contexts are no longer stored (the
 * step still counts them as new), and `saturated` says so.
 */
export class ContextOperator {
  /** Sensor facts (mask) predicted for the next step. */
  predicted = 0;
  /** Active share of the selected contexts at the last step (CAD OSE's first anomaly input). */
  activeShare = 0;
  /** New share of the unique potential contexts at the last step (its second input). */
  addedShare = 0;
  /** A table or pool ran full at some point: later novelty is no longer remembered. */
  saturated = false;

  private readonly o: ContextOperatorOptions;
  private readonly rightSpace: number;
  private readonly bitCount: Uint8Array;
  private readonly left: FactSetTable;
  private readonly pairs: IntMap;
  // contexts, by id (creation order)
  private readonly ctxLeft: Int32Array;
  private readonly ctxRight: Int32Array;
  /** Right facts it could have predicted, summed over the steps it was selected. */
  private readonly ctxSeen: Int32Array;
  /** Right facts it did predict, summed likewise. */
  private readonly ctxHit: Int32Array;
  /** Steps it was active. */
  private readonly ctxActive: Int32Array;
  private readonly ctxZero: Uint8Array;
  private readonly ctxNext: Int32Array;
  private readonly ctxStamp: Int32Array;
  private nContexts = 0;
  // per left semi-context
  private readonly firstCtx: Int32Array;
  private readonly lastCtx: Int32Array;
  /** `crossStep` when the last crossing found it wholly present in the left facts. */
  private readonly wholeAt: Int32Array;
  private crossStep = 0;
  /** Left parts that existed at the last crossing, and the sensor facts of that step. */
  private crossedCount = 0;
  private crossedSensor = 0;
  /** Its sensor facts as a mask, and how many neuron facts it has. */
  private readonly leftSensor: Int32Array;
  /** Some context of it is zero-level (only those spawn potentials from a partial match). */
  private readonly leftHasZero: Uint8Array;
  // A left part can be wholly present only if its lowest neuron fact is: each left part is
  // listed under that neuron (a linked list by neuron), or among the sensor-only ones.
  private readonly firstByNeuron: Int32Array;
  private readonly nextByNeuron: Int32Array;
  private readonly sensorOnly: Int32Array;
  private nSensorOnly = 0;
  // best hit ratio and the right parts having it, while crossing
  private best = 0;
  private bestRight = 0;
  // the current left facts ("left facts group"), sorted, and their membership stamps by fact
  private readonly group: Int32Array;
  private groupLen = 0;
  private readonly mark: Int32Array;
  private stamp = 0;
  private stepNo = 0;
  // potential new contexts of this step: matched left facts (pooled) and matched right mask
  private readonly potFacts: Int32Array;
  private readonly potStart: Int32Array;
  private readonly potLen: Int32Array;
  private readonly potRight: Int32Array;
  private nPot = 0;
  // the best active contexts of this step, ascending by rank
  private readonly top: Int32Array;
  private nTop = 0;
  private readonly neurons: Int32Array;

  constructor(o: ContextOperatorOptions) {
    this.o = o;
    this.rightSpace = 1 << o.sensorFacts;
    this.bitCount = new Uint8Array(this.rightSpace);
    for (let m = 1; m < this.rightSpace; m++) this.bitCount[m] = (m & 1) + this.bitCount[m >> 1]!;
    this.left = new FactSetTable(o.maxLeftSets, o.leftPool);
    this.pairs = new IntMap(o.maxContexts);
    this.ctxLeft = new Int32Array(o.maxContexts);
    this.ctxRight = new Int32Array(o.maxContexts);
    this.ctxSeen = new Int32Array(o.maxContexts);
    this.ctxHit = new Int32Array(o.maxContexts);
    this.ctxActive = new Int32Array(o.maxContexts);
    this.ctxZero = new Uint8Array(o.maxContexts);
    this.ctxNext = new Int32Array(o.maxContexts);
    this.ctxStamp = new Int32Array(o.maxContexts);
    this.firstCtx = new Int32Array(o.maxLeftSets);
    this.lastCtx = new Int32Array(o.maxLeftSets);
    this.wholeAt = new Int32Array(o.maxLeftSets);
    this.leftSensor = new Int32Array(o.maxLeftSets);
    this.leftHasZero = new Uint8Array(o.maxLeftSets);
    this.firstByNeuron = new Int32Array(o.maxContexts);
    this.nextByNeuron = new Int32Array(o.maxLeftSets);
    this.sensorOnly = new Int32Array(this.rightSpace);
    this.group = new Int32Array(o.sensorFacts + o.maxNeurons);
    this.mark = new Int32Array(o.sensorFacts + o.maxContexts);
    this.potFacts = new Int32Array(o.maxPotentials * o.maxLeftMatch);
    this.potStart = new Int32Array(o.maxPotentials);
    this.potLen = new Int32Array(o.maxPotentials);
    this.potRight = new Int32Array(o.maxPotentials);
    this.top = new Int32Array(o.maxNeurons);
    this.neurons = new Int32Array(o.maxNeurons);
  }

  /** Contexts stored so far (for tests and sizing). */
  get contexts(): number {
    return this.nContexts;
  }

  /** Left semi-contexts and pooled facts stored so far (for sizing). */
  get leftSets(): number {
    return this.left.count;
  }
  get leftFacts(): number {
    return this.left.poolUsed;
  }

  /** One step with the current value's sensor facts (a non-empty mask). */
  step(sensor: number): void {
    this.stepNo++;
    // 1. the zero-level context: previous left facts → current sensor facts
    let newZero = false;
    // CAD OSE marks "no new zero-level context" with Python's False, which compares equal to
    // context id 0: so the very first context is never selected. Kept, to stay faithful.
    let skip = 0;
    let zeroId = -1;
    if (this.groupLen > 0) {
      let l = this.left.find(this.group, 0, this.groupLen);
      if (l < 0) l = this.addLeft(this.group, 0, this.groupLen);
      const c = l >= 0 ? this.pairs.get(l * this.rightSpace + sensor) : -1;
      if (c >= 0) {
        this.ctxZero[c] = 1;
        this.leftHasZero[l] = 1;
      } else {
        newZero = true;
        zeroId = l >= 0 ? this.addContext(l, sensor, 1) : -1;
        skip = zeroId;
      }
    }

    // 2. selected, active and potential contexts, from the left parts matched at the previous step
    let selected = 0;
    let active = 0;
    this.nPot = 0;
    this.nTop = 0;
    // (a left part made at this step was not crossed: it matched nothing yet)
    const crossed = this.crossedCount;
    const prevSensor = this.crossedSensor;
    const pool = this.left.pool;
    const nf = this.o.sensorFacts;
    for (let l = 0; l < crossed; l++) {
      let m: number;
      let whole: boolean;
      if (this.wholeAt[l] === this.crossStep) {
        whole = true;
        m = this.left.length[l]!;
      } else {
        // a partly matched left part matters only for potentials from its zero-level contexts
        if (!newZero || this.leftHasZero[l] !== 1) continue;
        m = this.bitCount[this.leftSensor[l]! & prevSensor]!;
        const s = this.left.start[l]!;
        const e = s + this.left.length[l]!;
        for (let at = s; at < e; at++) {
          const f = pool[at]!;
          if (f >= nf && this.mark[f] === this.stamp) m++;
        }
        if (m === 0 || m > this.o.maxLeftMatch) continue;
        whole = false;
      }
      for (let c = this.firstCtx[l]!; c !== -1; c = this.ctxNext[c]!) {
        if (c === skip) continue;
        const r = this.ctxRight[c]!;
        const hit = r & sensor;
        if (whole) {
          selected++;
          this.ctxSeen[c] = this.ctxSeen[c]! + this.bitCount[r]!;
          if (hit !== 0) {
            this.ctxHit[c] = this.ctxHit[c]! + this.bitCount[hit]!;
            if (hit === r) {
              this.ctxActive[c] = this.ctxActive[c]! + 1;
              active++;
              this.offerTop(c);
            } else if (newZero && this.ctxZero[c] === 1 && m <= this.o.maxLeftMatch) {
              this.addPotential(l, hit);
            }
          }
        } else if (newZero && this.ctxZero[c] === 1 && hit !== 0 && m <= this.o.maxLeftMatch) {
          this.addPotential(l, hit);
        }
      }
    }
    this.activeShare = selected > 0 ? active / selected : 0;

    // 3. next left facts: the sensor facts, then the active "neurons" (both ascending)
    let g = 0;
    for (let f = 0; f < this.o.sensorFacts; f++) if ((sensor >> f) & 1) this.group[g++] = f;
    for (let i = 0; i < this.nTop; i++) {
      let j = i;
      const id = this.top[i]!;
      while (j > 0 && this.neurons[j - 1]! > id) {
        this.neurons[j] = this.neurons[j - 1]!;
        j--;
      }
      this.neurons[j] = id;
    }
    for (let i = 0; i < this.nTop; i++) this.group[g++] = this.o.sensorFacts + this.neurons[i]!;
    this.groupLen = g;

    // 4a. store the potentials; count the new ones among the unique ones
    let added = 0;
    let unique = 0;
    if (newZero) {
      added = 1;
      unique = 1;
      if (zeroId >= 0) this.ctxStamp[zeroId] = this.stepNo;
    }
    for (let p = 0; p < this.nPot; p++) {
      const s = this.potStart[p]!;
      const n = this.potLen[p]!;
      let l = this.left.find(this.potFacts, s, n);
      if (l < 0) l = this.addLeft(this.potFacts, s, n);
      let c = l >= 0 ? this.pairs.get(l * this.rightSpace + this.potRight[p]!) : -1;
      if (c < 0) {
        c = l >= 0 ? this.addContext(l, this.potRight[p]!, 0) : -1;
        added++;
        unique++;
        if (c >= 0) this.ctxStamp[c] = this.stepNo;
      } else if (this.ctxStamp[c] !== this.stepNo) {
        this.ctxStamp[c] = this.stepNo;
        unique++;
      }
    }
    this.addedShare = newZero && unique > 0 ? added / unique : 0;

    // 4b. cross the left parts with the new left facts: those wholly present predict. Partial
    // matches are counted only when the next step needs them (step 2, with the marks of now).
    this.stamp++;
    for (let i = 0; i < g; i++) this.mark[this.group[i]!] = this.stamp;
    this.crossStep++;
    // candidates: the sensor-only left parts, then those listed under each active neuron
    this.best = 0;
    this.bestRight = 0;
    for (let i = 0; i < this.nSensorOnly; i++) this.crossWhole(this.sensorOnly[i]!, sensor);
    for (let i = 0; i < this.nTop; i++) {
      for (let l = this.firstByNeuron[this.neurons[i]!]!; l !== -1; l = this.nextByNeuron[l]!) this.crossWhole(l, sensor);
    }
    this.crossedCount = this.left.count;
    this.crossedSensor = sensor;
    this.predicted = this.bestRight;
  }

  reset(): void {
    this.left.clear();
    this.pairs.clear();
    this.nContexts = 0;
    this.groupLen = 0;
    this.mark.fill(0);
    this.ctxStamp.fill(0);
    this.stamp = 0;
    this.stepNo = 0;
    this.predicted = 0;
    this.activeShare = 0;
    this.addedShare = 0;
    this.saturated = false;
    this.crossStep = 0;
    this.crossedCount = 0;
    this.crossedSensor = 0;
    this.nSensorOnly = 0;
  }

  /** If left part l is wholly present in the new left facts: mark it, and let its contexts predict. */
  private crossWhole(l: number, sensor: number): void {
    const ls = this.leftSensor[l]!;
    if ((ls & sensor) !== ls) return;
    const pool = this.left.pool;
    const nf = this.o.sensorFacts;
    const s = this.left.start[l]!;
    const e = s + this.left.length[l]!;
    for (let at = s; at < e; at++) {
      const f = pool[at]!;
      if (f >= nf && this.mark[f] !== this.stamp) return;
    }
    this.wholeAt[l] = this.crossStep;
    if (!this.o.predicts) return;
    // the right parts of the contexts with the best hit ratio (all of them on a tie)
    for (let c = this.firstCtx[l]!; c !== -1; c = this.ctxNext[c]!) {
      const seen = this.ctxSeen[c]!;
      const w = seen > 0 ? this.ctxHit[c]! / seen : 0;
      if (w > this.best) {
        this.best = w;
        this.bestRight = this.ctxRight[c]!;
      } else if (w === this.best) {
        this.bestRight |= this.ctxRight[c]!;
      }
    }
  }

  private addLeft(facts: Int32Array, from: number, n: number): number {
    const l = this.left.add(facts, from, n);
    if (l < 0) {
      this.saturated = true;
      return -1;
    }
    this.firstCtx[l] = -1;
    this.lastCtx[l] = -1;
    this.leftHasZero[l] = 0;
    this.wholeAt[l] = 0;
    let sensorMask = 0;
    let lowestNeuron = -1;
    const s = this.left.start[l]!;
    for (let at = s; at < s + n; at++) {
      const f = this.left.pool[at]!;
      if (f < this.o.sensorFacts) sensorMask |= 1 << f;
      else if (lowestNeuron === -1) lowestNeuron = f - this.o.sensorFacts; // facts are sorted
    }
    if (lowestNeuron === -1) {
      this.sensorOnly[this.nSensorOnly++] = l;
    } else {
      this.nextByNeuron[l] = this.firstByNeuron[lowestNeuron]!;
      this.firstByNeuron[lowestNeuron] = l;
    }
    this.leftSensor[l] = sensorMask;
    return l;
  }

  private addContext(l: number, right: number, zero: number): number {
    const c = this.nContexts;
    if (c >= this.o.maxContexts || !this.pairs.set(l * this.rightSpace + right, c)) {
      this.saturated = true;
      return -1;
    }
    this.nContexts++;
    this.ctxLeft[c] = l;
    this.ctxRight[c] = right;
    this.ctxSeen[c] = 0;
    this.ctxHit[c] = 0;
    this.ctxActive[c] = 0;
    this.ctxZero[c] = zero;
    this.ctxStamp[c] = 0;
    this.ctxNext[c] = -1;
    this.firstByNeuron[c] = -1;
    if (zero === 1) this.leftHasZero[l] = 1;
    // contexts of one left part stay in creation order (the order potentials are made in)
    if (this.lastCtx[l] === -1) this.firstCtx[l] = c;
    else this.ctxNext[this.lastCtx[l]!] = c;
    this.lastCtx[l] = c;
    return c;
  }

  /** The potential context (matched facts of left part l, right mask). */
  private addPotential(l: number, right: number): void {
    if (this.nPot >= this.o.maxPotentials) {
      this.saturated = true;
      return;
    }
    const p = this.nPot++;
    const at = p * this.o.maxLeftMatch;
    const s = this.left.start[l]!;
    const n = this.left.length[l]!;
    const pool = this.left.pool;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const f = pool[s + i]!;
      if (this.mark[f] === this.stamp) this.potFacts[at + k++] = f;
    }
    this.potStart[p] = at;
    this.potLen[p] = k;
    this.potRight[p] = right;
  }

  /** Keeps the `maxNeurons` best active contexts: most often active, then by the hashes of their parts. */
  private offerTop(c: number): void {
    const max = this.o.maxNeurons;
    if (max === 0) return;
    if (this.nTop === max) {
      if (!this.ranksAbove(c, this.top[0]!)) return;
      // drop the lowest
      for (let i = 1; i < max; i++) this.top[i - 1] = this.top[i]!;
      this.nTop--;
    }
    let j = this.nTop++;
    while (j > 0 && this.ranksAbove(this.top[j - 1]!, c)) {
      this.top[j] = this.top[j - 1]!;
      j--;
    }
    this.top[j] = c;
  }

  private ranksAbove(a: number, b: number): boolean {
    const na = this.ctxActive[a]!;
    const nb = this.ctxActive[b]!;
    if (na !== nb) return na > nb;
    const la = this.left.hash[this.ctxLeft[a]!]!;
    const lb = this.left.hash[this.ctxLeft[b]!]!;
    if (la !== lb) return la > lb;
    return mix(this.ctxRight[a]!) > mix(this.ctxRight[b]!);
  }
}
