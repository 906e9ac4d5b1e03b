import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { ARTimeDetector, artimeSpec } from './artime.js';

/**
 * `artime-bag`: several ARTime instances (artime.ts) on the same stream, each with its own
 * learning period and range margin, voting.
 *
 * Why: one ARTime's output depends chaotically on where its learning period ends (the range
 * it learns, the phase of its blocks, the vigilance it starts from) and on its range margin:
 * on NAB (with the ensemble), learning periods of 225, 250 and 300 rows detect 101, 105 and
 * 101 windows, different ones each time. Members whose learning periods are spread around
 * `probation` (±`spread` of it, evenly, `members` of them) and whose margins are spread the
 * other way (`margin` × (1 ∓ `marginSpread`)) see the same real events and different
 * artefacts. Each member's score is held for `hold` samples (members score at different block
 * ends), and the bag's score is their `vote`-th largest held score (1: the max, 2: the
 * second, …; 0: the mean). Member k starts `k` × `stagger` samples late, so that members with
 * equal block sizes end their blocks (and search their categories) in different samples.
 *
 * Memory and time: `members` × ARTime, each capped at `categories` categories with
 * least-recently-used eviction, and each spreading its end-of-learning work at `budget`
 * values per sample (artime.ts).
 */
export class ARTimeBagDetector implements Detector {
  readonly name = 'artime-bag';
  private readonly members: ARTimeDetector[];
  private readonly held: Float64Array;
  private readonly left: Int32Array;
  private readonly sorted: Float64Array;
  private readonly hold: number;
  private readonly vote: number;
  /** Member k starts at the stream's sample `k` × `stagger` (its block ends then fall between the others'). */
  private readonly stagger: number;
  private seen = 0;

  constructor(p: DetectorParams) {
    const m = Math.max(1, Math.floor(p.members!));
    this.members = [];
    for (let k = 0; k < m; k++) {
      const f = m === 1 ? 0 : (2 * k) / (m - 1) - 1;
      this.members.push(
        new ARTimeDetector({
          ...artimeSpec.defaults,
          probation: Math.round(p.probation! * (1 + p.spread! * f)),
          rows: p.rows ?? 0,
          inputMin: p.inputMin ?? 0,
          inputMax: p.inputMax ?? 0,
          expand: p.expand ?? 0,
          // `marginSpread` varies the range margin above the other way round: members differ in both
          margin: p.margin! * (1 - (p.marginSpread ?? 0) * f),
          marginLow: p.marginLow!,
          categories: p.categories!,
          evict: p.evict!,
          budget: p.budget!,
        }),
      );
    }
    this.held = new Float64Array(m);
    this.left = new Int32Array(m);
    this.sorted = new Float64Array(m);
    this.hold = Math.max(1, Math.floor(p.hold!));
    this.vote = Math.floor(p.vote!);
    this.stagger = Math.max(0, Math.floor(p.stagger ?? 0));
  }

  /** True once every member's learning period is over. */
  get ready(): boolean {
    for (const d of this.members) if (!d.ready) return false;
    return true;
  }

  update(tMs: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    const m = this.members.length;
    let sum = 0;
    const seen = this.seen++;
    for (let k = 0; k < m; k++) {
      const s = seen >= k * this.stagger ? this.members[k]!.update(tMs, x) : 0;
      // the peak of the last `hold` samples (this one included; a new peak restarts the hold)
      if (this.left[k]! > 0 && --this.left[k]! === 0) this.held[k] = 0;
      if (s > 0 && s >= this.held[k]!) {
        this.held[k] = s;
        this.left[k] = this.hold;
      }
      sum += this.held[k]!;
    }
    if (this.vote <= 0) return unitScore(sum / m);
    // vote-th largest of the held scores (insertion into a small preallocated array)
    const v = this.sorted;
    for (let k = 0; k < m; k++) {
      const s = this.held[k]!;
      let j = k - 1;
      while (j >= 0 && v[j]! < s) {
        v[j + 1] = v[j]!;
        j--;
      }
      v[j + 1] = s;
    }
    return unitScore(v[Math.min(this.vote, m) - 1]!);
  }

  reset(): void {
    for (const d of this.members) d.reset();
    this.held.fill(0);
    this.left.fill(0);
    this.seen = 0;
  }
}

export const artimeBagSpec: DetectorSpec = {
  name: 'artime-bag',
  summary: 'several ARTime instances with spread learning periods, scores held and voted (fixed memory, spread end-of-learning work)',
  defaults: {
    members: 3,
    probation: 260,
    spread: 0.19,
    hold: 8,
    vote: 2,
    stagger: 1,
    marginSpread: 0.5,
    margin: 1,
    marginLow: 0,
    categories: 128,
    evict: 1,
    budget: 20000,
  },
  create: (p) => new ARTimeBagDetector(p),
};
