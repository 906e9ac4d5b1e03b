import { ATSPM } from './atspm-codes.js';
import { type PhaseTiming, type Plan, timingProblem } from './plan.js';
import type { EngineView, Strategy } from './strategy.js';
import { MAX_PHASE, type Structure } from './structure.js';
import type { DetectorSpec, EngineEvent, EngineListener, EngineMode, EngineSnapshot, Interval, PedIndication, PhaseIndication } from './engine-types.js';
import { FLASH_STATUS } from './engine-types.js';
import { PhaseCalls } from './phase-calls.js';

export type {
  DetectorFaultKind,
  DetectorSpec,
  EngineEvent,
  EngineListener,
  EngineMode,
  EngineSnapshot,
  Interval,
  PedIndication,
  PhaseIndication,
} from './engine-types.js';
export { FLASH_STATUS } from './engine-types.js';

export interface EngineOptions {
  readonly startupFlashMs?: number;
  readonly startupRedMs?: number;
  readonly detectors?: readonly DetectorSpec[];
  /**
   * Per-phase floors (index = phase) no plan may go below, e.g. the conflict monitor's
   * programming: a plan asking for less is raised to the floor, so a valid plan change cannot
   * make the monitor trip.
   */
  readonly floors?: { readonly yellowMs?: readonly number[]; readonly redClearMs?: readonly number[] };
}

/**
 * The NEMA dual-ring phase engine: the only code that decides when a lamp may change.
 *
 * Pure and clock-free: `step(now)` advances it to `now` (integer ms); the caller drives it from
 * a Clock (about every 100 ms). Each ring times green → yellow → red clearance → idle for its
 * phase; a ring serves the phases of the current barrier side in order (skipping those without
 * demand), and when every ring is done with the side, all rings cross the barrier together.
 * A green starts only if it is compatible with every phase still green, yellow or in red
 * clearance, whatever the strategy asked for.
 *
 * Start-up: all-red flash for `startupFlashMs`, then all-red for `startupRedMs`, then service.
 * Plan changes apply to intervals that start afterwards; a running min green, yellow or red
 * clearance keeps the length it started with.
 */
const NEG = -Infinity;

export class PhaseEngine implements EngineView {
  readonly structure: Structure;
  private plan: Plan;
  private strategy: Strategy;
  private readonly listeners = new Set<EngineListener>();
  private readonly startupFlashMs: number;
  private readonly floors: NonNullable<EngineOptions['floors']>;
  private readonly startupRedMs: number;

  private mode: EngineMode = 'off';
  private modeSince = 0;
  private side = 0;
  private crossing = false; // all rings are terminating to cross the barrier
  private passActive = false; // a side is being served (so unserved phases at the crossing were skipped)
  private lastNow = 0;

  // Per phase, indexed 0..8.
  private readonly ind: PhaseIndication[] = new Array<PhaseIndication>(MAX_PHASE + 1).fill('dark');
  private readonly ped: PedIndication[] = new Array<PedIndication>(MAX_PHASE + 1).fill('dark');
  private readonly gStart = new Float64Array(MAX_PHASE + 1).fill(NEG);
  private readonly gEnd = new Float64Array(MAX_PHASE + 1).fill(NEG);
  /** See EngineView.waitingSince; updated each running step, before the strategy observes. */
  private readonly waitStart = new Float64Array(MAX_PHASE + 1).fill(-1);
  private readonly served = new Uint8Array(MAX_PHASE + 1);
  private readonly pedServed = new Uint8Array(MAX_PHASE + 1);

  // Per ring.
  private readonly rPhase: Int32Array;
  private readonly rInt: Interval[];
  private readonly rSince: Float64Array;
  private readonly rMinGreen: Float64Array;
  private readonly rYellow: Float64Array;
  private readonly rRedClear: Float64Array;
  private readonly rReady: Uint8Array; // green, past min, strategy done, nothing left on this side
  private readonly rMinDone: Uint8Array;
  // When the first conflicting call of the current green appeared (NEG: none yet, or withdrawn).
  private readonly rMaxFrom: Float64Array;

  private readonly calls: PhaseCalls;
  private readonly cand: number[] = [];
  private readonly sides: number[] = [];

  /** Times the compatibility guard refused a green (must stay 0: a strategy or structure bug). */
  guardRefusals = 0;

  constructor(structure: Structure, plan: Plan, strategy: Strategy, options: EngineOptions = {}) {
    this.structure = structure;
    this.floors = options.floors ?? {};
    checkPlan(structure, plan);
    this.plan = this.applyFloors(plan);
    this.strategy = strategy;
    this.startupFlashMs = options.startupFlashMs ?? 6000;
    this.startupRedMs = options.startupRedMs ?? 2000;
    const n = structure.rings.length;
    this.rPhase = new Int32Array(n);
    this.rInt = new Array<Interval>(n).fill('idle');
    this.rSince = new Float64Array(n);
    this.rMinGreen = new Float64Array(n);
    this.rYellow = new Float64Array(n);
    this.rRedClear = new Float64Array(n);
    this.rReady = new Uint8Array(n);
    this.rMinDone = new Uint8Array(n);
    this.rMaxFrom = new Float64Array(n).fill(NEG);
    this.calls = new PhaseCalls(structure, options.detectors ?? [], {
      isGreen: (p) => this.ind[p] === 'green',
      atspm: (t, code, param) => this.emitAtspm(t, code, param),
      event: (e) => this.emit(e),
    });
  }

  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- control ----

  /** Power-up: all-red flash, then all-red, then service. Also used to restart after a monitor reset. */
  start(now: number, withFlash = true): void {
    this.lastNow = now;
    for (let r = 0; r < this.rPhase.length; r++) {
      this.rPhase[r] = 0;
      this.rInt[r] = 'idle';
      this.rReady[r] = 0;
    }
    this.served.fill(0);
    this.crossing = false;
    this.passActive = false;
    this.side = this.structure.barriers.length - 1; // first crossing goes to side 0
    if (withFlash) this.emitAtspm(now, ATSPM.POWER_RESTORED, 0); // a cold start, not a restart after a monitor reset
    this.emitAtspm(now, ATSPM.PATTERN_CHANGE, this.plan.pattern);
    this.calls.reset(now);
    if (withFlash && this.startupFlashMs > 0) this.setMode('startup-flash', now);
    else this.setMode('startup-red', now);
  }

  /** Everything dark (controller shut down). */
  stop(now: number): void {
    this.setMode('off', now);
    this.emitAtspm(now, ATSPM.POWER_FAILURE, 0);
  }

  /** New timings / strategy; structure is fixed. Running clearances keep their lengths. */
  setPlan(plan: Plan, strategy: Strategy, now: number): void {
    checkPlan(this.structure, plan);
    this.plan = this.applyFloors(plan);
    this.strategy = strategy;
    this.emitAtspm(now, ATSPM.PATTERN_CHANGE, plan.pattern);
  }

  get currentPlan(): Plan {
    return this.plan;
  }

  get strategyType(): Strategy['type'] {
    return this.strategy.type;
  }

  /** A vehicle call that is not from a detector (central system, push of a button in the cabinet). */
  placeCall(phase: number, now: number): void {
    if (this.structure.ringOf[phase] === undefined || this.structure.ringOf[phase] === -1) return;
    this.calls.placeCall(phase, now);
  }

  pedCall(phase: number, now: number): void {
    if (this.structure.ringOf[phase] === undefined || this.structure.ringOf[phase] === -1 || this.timing(phase).walkMs === 0) return;
    this.calls.placePedCall(phase, now);
  }

  /** A detector's debounced level changed. */
  detectorChange(channel: number, on: boolean, now: number): void {
    this.calls.detectorChange(channel, on, now);
  }

  // ---- the state machine ----

  step(now: number): void {
    this.lastNow = now;
    if (this.mode === 'off') return;
    this.calls.diagnose(now);
    if (this.mode === 'startup-flash') {
      if (now - this.modeSince >= this.startupFlashMs) this.setMode('startup-red', now);
      return;
    }
    if (this.mode === 'startup-red') {
      if (now - this.modeSince < this.startupRedMs) return;
      this.setMode('run', now);
    }
    for (const p of this.structure.phases) {
      if (this.ind[p] === 'green' || !this.demand(p)) this.waitStart[p] = -1;
      else if (this.waitStart[p]! < 0) this.waitStart[p] = now;
    }
    this.strategy.observe(this, now);
    const rings = this.structure.rings.length;
    for (let r = 0; r < rings; r++) this.advanceRing(r, now);
    // Idle rings serve the next phase of this side, if any.
    for (let r = 0; r < rings; r++) {
      if (this.rInt[r] !== 'idle' || this.crossing) continue;
      this.candidates(r);
      // Only phases compatible with everything still timing (a site may forbid pairs within a side).
      let k = 0;
      for (const c of this.cand) if (!this.blocked(c)) this.cand[k++] = c;
      this.cand.length = k;
      if (this.cand.length === 0) continue;
      const want = this.strategy.pickNext(this.cand, this, now);
      const p = this.cand.includes(want) ? want : this.cand[0]!;
      this.startGreen(r, p, now);
    }
    this.barrier(now);
  }

  private advanceRing(r: number, now: number): void {
    const p = this.rPhase[r]!;
    const since = now - this.rSince[r]!;
    switch (this.rInt[r]) {
      case 'green': {
        const t = this.timing(p);
        this.timePed(p, now);
        // NEMA: max green times from the first conflicting call, not from the start of the green
        // (a phase resting in green keeps its passage extensions until someone else wants the
        // road); a call withdrawn before max expires resets the max timer. "Conflicting" is any
        // phase not green with demand (as for rest in green): a compatible phase already served
        // in this pass can only be served again after p ends (the barrier), so it counts too.
        if (this.demandElsewhere(p)) {
          if (this.rMaxFrom[r] === NEG) this.rMaxFrom[r] = now;
        } else this.rMaxFrom[r] = NEG;
        if (since < this.rMinGreen[r]!) return;
        if (!this.rMinDone[r]) {
          this.rMinDone[r] = 1;
          this.emitAtspm(now, ATSPM.MIN_COMPLETE, p);
        }
        if (this.crossing) return; // already asked to terminate by the barrier logic below
        if (!this.demandElsewhere(p)) {
          this.rReady[r] = 0; // rest in green: nobody else wants the road
          return;
        }
        if (this.rMaxFrom[r] !== NEG && now - this.rMaxFrom[r]! >= t.maxGreenMs) {
          this.terminate(r, now, ATSPM.MAX_OUT);
          return;
        }
        const keep = t.recall === 'max' || this.calls.detectorFailed(p) || this.strategy.extend(p, since, this, now);
        if (keep) {
          this.rReady[r] = 0;
          return;
        }
        this.candidates(r);
        if (this.cand.length > 0) this.terminate(r, now, this.strategy.endCode);
        else this.rReady[r] = 1; // dwell at the barrier until the other rings are done
        return;
      }
      case 'yellow':
        if (since >= this.rYellow[r]!) {
          this.rInt[r] = 'red-clear';
          this.rSince[r] = now;
          this.setInd(p, 'red', now);
          this.emitAtspm(now, ATSPM.END_YELLOW, p);
          this.emitAtspm(now, ATSPM.BEGIN_RED_CLEAR, p);
        }
        return;
      case 'red-clear':
        if (since >= this.rRedClear[r]!) {
          this.rInt[r] = 'idle';
          this.rSince[r] = now;
          this.rPhase[r] = 0;
          this.emitAtspm(now, ATSPM.END_RED_CLEAR, p);
          this.emitAtspm(now, ATSPM.PHASE_INACTIVE, p);
        }
        return;
      case 'idle':
        return;
    }
  }

  /** Both rings cross together: when each is idle with nothing left on this side or dwelling. */
  private barrier(now: number): void {
    const rings = this.structure.rings.length;
    let allIdle = true;
    for (let r = 0; r < rings; r++) {
      const i = this.rInt[r]!;
      if (i === 'idle') {
        if (this.crossing) continue; // committed: late calls on this side wait for the next pass
        this.candidates(r);
        if (this.cand.length > 0) {
          // Still serving this side. A green dwelling at the barrier must not hold up a waiting
          // phase it conflicts with: end it.
          for (let r2 = 0; r2 < rings; r2++) {
            if (this.rInt[r2] !== 'green' || !this.rReady[r2]) continue;
            const q = this.rPhase[r2]!;
            let blocks = false;
            for (const c of this.cand) if (!this.structure.compatible[c]![q]) blocks = true;
            if (blocks) this.terminate(r2, now, this.strategy.endCode);
          }
          return;
        }
        continue;
      }
      allIdle = false;
      if (this.crossing) continue;
      if (i === 'green' && !this.rReady[r]) return;
      if (i !== 'green') return; // a clearance in progress within the side
    }
    if (!allIdle) {
      // Every ring is dwelling or clearing: terminate the dwelling greens together.
      if (!this.crossing) {
        if (!this.anyDemandNotGreen()) return;
        this.crossing = true;
        for (let r = 0; r < rings; r++) if (this.rInt[r] === 'green') this.terminate(r, now, this.strategy.endCode);
      }
      return;
    }
    // All rings idle with nothing left on this side: cross to the side the strategy picks.
    this.sides.length = 0;
    const nSides = this.structure.barriers.length;
    for (let k = 1; k <= nSides; k++) {
      const s = (this.side + k) % nSides;
      let wanted = false;
      for (const p of this.structure.barriers[s]!) if (this.demand(p)) wanted = true;
      if (wanted) this.sides.push(s);
    }
    if (this.sides.length === 0) {
      this.crossing = false;
      return; // rest in all red until a call
    }
    const want = this.strategy.pickSide(this.sides, this, now);
    const next = this.sides.includes(want) ? want : this.sides[0]!;
    if (this.passActive) {
      for (const p of this.structure.barriers[this.side]!) if (!this.served[p]) this.emitAtspm(now, ATSPM.PHASE_SKIPPED, p);
      if (next !== this.side) this.emitAtspm(now, ATSPM.BARRIER_TERMINATION, this.side + 1);
    }
    this.passActive = true;
    this.side = next;
    this.crossing = false;
    this.served.fill(0);
    for (let r = 0; r < rings; r++) {
      this.candidates(r);
      let k = 0;
      for (const c of this.cand) if (!this.blocked(c)) this.cand[k++] = c;
      this.cand.length = k;
      if (this.cand.length === 0) continue;
      const w = this.strategy.pickNext(this.cand, this, now);
      this.startGreen(r, this.cand.includes(w) ? w : this.cand[0]!, now);
    }
  }

  /** A conflicting phase is still green, yellow or in red clearance. */
  private blocked(p: number): boolean {
    for (const q of this.structure.phases) {
      if (q === p || this.structure.compatible[p]![q]) continue;
      if (this.ind[q] === 'green' || this.ind[q] === 'yellow' || this.inRedClear(q)) return true;
    }
    return false;
  }

  private startGreen(r: number, p: number, now: number): void {
    // The final word on safety: never green against a conflicting phase that is not fully red.
    if (this.blocked(p)) {
      this.guardRefusals++;
      return;
    }
    const t = this.timing(p);
    this.rPhase[r] = p;
    this.rInt[r] = 'green';
    this.rSince[r] = now;
    this.rReady[r] = 0;
    this.rMinDone[r] = 0;
    this.served[p] = 1;
    // A call already waiting when the green starts times max green from the start.
    this.rMaxFrom[r] = this.demandElsewhere(p) ? now : NEG;
    const withPed = t.walkMs > 0 && (this.calls.hasPedCall(p) || t.recall === 'ped');
    this.pedServed[p] = withPed ? 1 : 0;
    this.rMinGreen[r] = Math.max(t.minGreenMs, withPed ? t.walkMs + t.pedClearMs : 0);
    this.gStart[p] = now;
    this.calls.served(p, now);
    this.setInd(p, 'green', now);
    this.emitAtspm(now, ATSPM.BEGIN_GREEN, p);
    if (withPed) {
      this.calls.pedServed(p);
      this.setPed(p, 'walk', now);
      this.emitAtspm(now, ATSPM.BEGIN_WALK, p);
    }
    this.strategy.onGreenStart(p, this, now);
  }

  private timePed(p: number, now: number): void {
    if (!this.pedServed[p]) return;
    const t = this.timing(p);
    const e = now - this.gStart[p]!;
    if (this.ped[p] === 'walk' && e >= t.walkMs) {
      this.setPed(p, 'fdw', now);
      this.emitAtspm(now, ATSPM.BEGIN_FDW, p);
    }
    if (this.ped[p] === 'fdw' && e >= t.walkMs + t.pedClearMs) {
      this.setPed(p, 'dont-walk', now);
      this.emitAtspm(now, ATSPM.BEGIN_DONT_WALK, p);
      this.pedServed[p] = 0;
    }
  }

  private terminate(r: number, now: number, code: number): void {
    const p = this.rPhase[r]!;
    const t = this.timing(p);
    this.rInt[r] = 'yellow';
    this.rSince[r] = now;
    this.rReady[r] = 0;
    this.rYellow[r] = t.yellowMs;
    this.rRedClear[r] = t.redClearMs;
    this.gEnd[p] = now;
    if (this.ped[p] === 'walk' || this.ped[p] === 'fdw') this.setPed(p, 'dont-walk', now); // cannot happen after min green; kept for safety
    this.pedServed[p] = 0;
    this.calls.greenEnded(p);
    this.emitAtspm(now, code, p);
    this.emitAtspm(now, ATSPM.GREEN_TERMINATION, p);
    this.setInd(p, 'yellow', now);
    this.emitAtspm(now, ATSPM.BEGIN_YELLOW, p);
    this.strategy.onGreenEnd(p, this, now);
  }

  /** Phases of ring r on the current side, not served in this pass, with demand, in ring order. */
  private candidates(r: number): void {
    this.cand.length = 0;
    if (!this.passActive) return; // before the first crossing nothing is being served
    for (const p of this.structure.rings[r]!) {
      if (this.structure.sideOf[p] === this.side && !this.served[p] && this.demand(p)) this.cand.push(p);
    }
  }

  private demandElsewhere(p: number): boolean {
    for (const q of this.structure.phases) if (q !== p && this.ind[q] !== 'green' && this.demand(q)) return true;
    return false;
  }

  private anyDemandNotGreen(): boolean {
    for (const q of this.structure.phases) if (this.ind[q] !== 'green' && this.demand(q)) return true;
    // A dwelling green with demand for its own next pass (a new cycle on the same side).
    for (let r = 0; r < this.rPhase.length; r++) {
      if (this.rInt[r] === 'green') {
        const p = this.rPhase[r]!;
        for (const q of this.structure.rings[r]!) if (q !== p && this.demand(q)) return true;
      }
    }
    return false;
  }

  private inRedClear(q: number): boolean {
    const r = this.structure.ringOf[q]!;
    return this.rPhase[r] === q && this.rInt[r] === 'red-clear';
  }

  private setMode(mode: EngineMode, now: number): void {
    const prev = this.mode;
    this.mode = mode;
    this.modeSince = now;
    this.emit({ type: 'mode', t: now, mode });
    const ind: PhaseIndication = mode === 'off' ? 'dark' : mode === 'startup-flash' ? 'flash-red' : 'red';
    if (mode !== 'run') for (const p of this.structure.phases) {
      this.setInd(p, ind, now);
      this.setPed(p, mode === 'off' ? 'dark' : 'dont-walk', now);
    }
    if (mode === 'startup-flash') this.emitAtspm(now, ATSPM.UNIT_FLASH_STATUS, FLASH_STATUS.STARTUP);
    if (prev === 'startup-flash' && mode !== 'startup-flash') this.emitAtspm(now, ATSPM.UNIT_FLASH_STATUS, FLASH_STATUS.NOT_FLASH);
  }

  private setInd(p: number, indication: PhaseIndication, now: number): void {
    if (this.ind[p] === indication) return;
    this.ind[p] = indication;
    this.emit({ type: 'indication', t: now, phase: p, indication });
  }

  private setPed(p: number, ped: PedIndication, now: number): void {
    if (this.ped[p] === ped || this.timing(p).walkMs === 0) return;
    this.ped[p] = ped;
    this.emit({ type: 'ped', t: now, phase: p, ped });
  }

  private applyFloors(plan: Plan): Plan {
    const { yellowMs, redClearMs } = this.floors;
    if (!yellowMs && !redClearMs) return plan;
    const timing = plan.timing.map((t, p) => {
      if (!t) return t;
      const y = Math.max(t.yellowMs, yellowMs?.[p] ?? 0);
      const r = Math.max(t.redClearMs, redClearMs?.[p] ?? 0);
      return y === t.yellowMs && r === t.redClearMs ? t : { ...t, yellowMs: y, redClearMs: r };
    });
    return { ...plan, timing };
  }

  private emitAtspm(t: number, code: number, param: number): void {
    if (this.listeners.size > 0) this.emit({ type: 'atspm', t, code, param });
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---- EngineView and snapshots ----

  timing(phase: number): PhaseTiming {
    return this.plan.timing[phase]!;
  }
  demand(p: number): boolean {
    const t = this.plan.timing[p];
    if (!t) return false;
    const c = this.calls;
    return c.hasCall(p) || c.hasPedCall(p) || t.recall !== 'none' || c.detectorFailed(p);
  }
  occupied(p: number): boolean {
    return this.calls.occupied(p);
  }
  lastOff(p: number): number {
    return this.calls.lastOff(p);
  }
  arrivals(p: number): number {
    return this.calls.arrivals(p);
  }
  isGreen(p: number): boolean {
    return this.ind[p] === 'green';
  }
  greenStart(p: number): number {
    return this.gStart[p]!;
  }
  greenEnd(p: number): number {
    return this.gEnd[p]!;
  }
  waitingSince(p: number): number {
    return this.waitStart[p]!;
  }
  indication(p: number): PhaseIndication {
    return this.ind[p]!;
  }
  pedIndication(p: number): PedIndication {
    return this.ped[p]!;
  }
  get currentMode(): EngineMode {
    return this.mode;
  }
  /** Interval of the ring that holds phase p ('idle' when the ring is on another phase). */
  interval(p: number): Interval {
    const r = this.structure.ringOf[p]!;
    return this.rPhase[r] === p ? this.rInt[r]! : 'idle';
  }

  snapshot(): EngineSnapshot {
    return {
      t: this.lastNow,
      mode: this.mode,
      strategy: this.strategy.type,
      pattern: this.plan.pattern,
      side: this.side,
      phases: this.structure.phases.map((p) => ({
        phase: p,
        indication: this.ind[p]!,
        ped: this.ped[p]!,
        interval: this.interval(p),
        call: this.calls.hasCall(p),
        pedCall: this.calls.hasPedCall(p),
        occupied: this.calls.occupied(p),
        detectorFault: this.calls.detectorFailed(p),
        greenStart: Number.isFinite(this.gStart[p]!) ? this.gStart[p]! : null,
      })),
      detectors: this.calls.detectorSnapshot(),
      guardRefusals: this.guardRefusals,
    };
  }
}

function checkPlan(s: Structure, plan: Plan): void {
  for (const p of s.phases) {
    const t = plan.timing[p];
    if (!t) throw new Error(`plan has no timing for phase ${p}`);
    const problem = timingProblem(t);
    if (problem) throw new Error(`phase ${p} ${problem}`);
  }
}
