import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { Downsampler } from './artime/downsampler.js';
import { FuzzyArt } from './artime/fuzzy-art.js';
import { VigilanceEstimate } from './artime/initial-vigilance.js';
import { LevelCoder } from './artime/levels.js';
import { Resonance } from './artime/resonance.js';
import { WindowFeatures } from './artime/window-features.js';

/**
 * `artime`: ARTime, Mark Hampton's adaptive resonance theory detector (NAB scoreboard 74.9,
 * https://github.com/markNZed/ARTimeNAB.jl), for one stream.
 *
 * Licence: ARTimeNAB.jl is AGPL-3.0. This is NOT a translation of its code: it was written
 * for this project from the algorithm as described in the files of artime/ (each says what
 * its stage does and why), with its own structure (typed arrays, ring buffers, no sorting, no
 * per-sample allocation). The algorithm's constants (8-value windows, 80 levels, 0.075,
 * 0.8, 0.19, 0.37, 0.35/0.65/1.5, …) are ARTime's, kept so that the numbers are comparable.
 * Fidelity check: given what NAB gives ARTime (`rows`, `inputMin`, `inputMax`, see below),
 * this reproduces the published ARTime scores (NAB results/ARTime) on 365 552 of 365 558 rows
 * (6 rows in two realAdExchange files differ by ≤ 0.013, most likely floating-point summation
 * order) and the published NAB scores 74.9 / 65.2 / 80.4 (artime/nab-oracle.ts).
 *
 * The pipeline, per sample:
 * 1. downsampler.ts: one value per block of `step` samples, keeping spikes (ARTime sizes the
 *    blocks so that the probation period holds `windowsPerProbation` (13) feature windows).
 * 2. levels.ts: normalise to [0, 1], quantise to `levels` (80) levels, snap to the running
 *    median level within `chomp` (0.075).
 * 3. window-features.ts: the last `window` (8) coded values and their Haar-wavelet shape.
 * 4. resonance.ts: a dual-vigilance fuzzy ART (fuzzy-art.ts) that learns the stream's windows;
 *    a window that founds a new cluster is an anomaly, scored by how far below the vigilance
 *    it fell, with masking so one event alerts once, and vigilance that adapts to the stream.
 * Scores come only at block ends (every `step` samples; 0 in between), after the learning
 * period (the first `trend` blocks, about the probation period).
 *
 * What ARTime takes from NAB, and the streaming equivalent used here:
 * - the file length, for the probation period (15 % of it, at most 750 rows), from which the
 *   block size and learning period follow. Default: `probation` = 750 rows, NAB's cap (the
 *   file length is not known to a stream). `rows` > 0 gives the length as NAB would
 *   (an oracle, for comparison only).
 * - the whole file's min and max, to normalise. Default: the min and max of the samples seen
 *   in the learning period, widened by `margin` × their span above and `marginLow` × their
 *   span below (1 and 1: on NAB the whole file reaches a median 0.5 spans above the
 *   probation period's max, with a long tail, and rarely below its min) and then frozen;
 *   later values are clamped to the range (a new extreme codes as the top or bottom level).
 *   `expand` 1 lets the range keep growing with every sample instead (measured worse).
 *   The learning period ends inside the probation period, so nothing scored looks ahead.
 *   `inputMax` > `inputMin` gives the range instead (NAB's inputMin/inputMax: a look-ahead,
 *   for comparison only).
 *
 * The learning-period batch (code its blocks, initial vigilance, replay them through the ART:
 * O(trend² · 16), ≈ 1 ms warm and ≈ 10 ms cold for trend 125) runs inside the update that ends
 * it by default, as in ARTime. With `budget` > 0 it is cut into units and spread over the
 * following samples, at most about `budget` values touched per sample; the blocks that
 * complete meanwhile wait in a ring and are presented afterwards, two per sample until none
 * waits, so the scores are ARTime's, some samples later.
 *
 * Memory: `categories` (4096, ARTime's 1 MiB of weights) caps the fuzzy ART; full, it stops
 * storing novelties (ARTime), or with `evict` 1 replaces its least recently used category, so
 * a long-running stream keeps learning in fixed memory and a fixed worst-case search.
 */
export class ARTimeDetector implements Detector {
  readonly name = 'artime';
  /** Values touched (the budget's unit) by the last update's end-of-learning and block work. */
  lastWork = 0;
  /** Blocks in the learning period. */
  readonly trend: number;
  readonly step: number;
  private readonly down: Downsampler;
  private readonly levels: LevelCoder;
  private readonly features: WindowFeatures;
  private readonly resonance: Resonance;
  private readonly estimate: VigilanceEstimate;
  private readonly blockValues: Float64Array;
  private readonly rows: Float64Array;
  /** Blocks waiting for the end-of-learning work to finish (ring of block values). */
  private readonly pending: Float64Array;
  private pendingHead = 0;
  private pendingCount = 0;
  private readonly window: number;
  private readonly dim: number;
  private readonly margin: number;
  private readonly marginLow: number;
  private readonly fixedMin: number;
  private readonly fixedMax: number;
  private readonly expand: boolean;
  private readonly budget: number;
  private blocks = 0;
  /** Blocks presented to the live ART (after the learning period). */
  private presented = 0;
  private stage = Stage.Learning;
  /** Next learning-period row of the coding or replay stage. */
  private cursor = 0;
  private seenMin = Infinity;
  private seenMax = -Infinity;

  constructor(p: DetectorParams) {
    const window = p.window!;
    let probation = p.rows! > 0 ? (p.rows! < 5000 ? Math.floor(0.15 * p.rows!) : 750) : Math.floor(p.probation!);
    probation -= probation % 2;
    if (probation < 2) throw new RangeError(`artime: probation must be at least 2 rows, got ${probation}`);
    this.step = Math.max(1, Math.floor(probation / (window * p.windowsPerProbation!)));
    this.trend = Math.floor(probation / this.step);
    this.window = window;
    this.dim = 2 * window;
    this.margin = p.margin!;
    this.marginLow = p.marginLow!;
    this.fixedMin = p.inputMin!;
    this.fixedMax = p.inputMax!;
    this.expand = p.expand! > 0 && !(this.fixedMax > this.fixedMin);
    this.budget = p.budget! > 0 ? p.budget! : 0;
    this.down = new Downsampler(this.step);
    this.levels = new LevelCoder(p.levels!, p.chomp!);
    this.features = new WindowFeatures(window);
    this.resonance = new Resonance(this.dim, Math.max(2, p.categories!), window, this.trend, Math.floor(window * 1.5), p.evict! > 0);
    this.estimate = new VigilanceEstimate(this.dim, new FuzzyArt(this.dim, this.trend + 1), p.initialRho!, new Float64Array(this.trend), new Int32Array(this.trend));
    this.blockValues = new Float64Array(this.trend);
    this.rows = new Float64Array(this.trend * this.dim);
    this.pending = new Float64Array(this.trend + 2);
  }

  /** True once the learning period is over (scores may be non-zero from then on). */
  get ready(): boolean {
    return this.blocks >= this.trend;
  }

  /** True while the end-of-learning work is still being spread over samples (`budget` > 0). */
  get catchingUp(): boolean {
    return this.stage !== Stage.Learning && (this.stage !== Stage.Live || this.pendingCount > 1);
  }

  update(_tMs: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    const learning = this.blocks < this.trend;
    if (learning || this.expand) {
      if (x < this.seenMin) this.seenMin = x;
      if (x > this.seenMax) this.seenMax = x;
    }
    if (this.down.push(x)) {
      const i = ++this.blocks;
      if (learning) {
        this.blockValues[i - 1] = this.down.value;
        if (i === this.trend) {
          this.setRange();
          this.stage = Stage.Coding;
          this.cursor = 0;
        }
      } else {
        if (this.pendingCount === this.pending.length) this.work(0); // cannot happen with a sane budget: finish now
        this.pending[(this.pendingHead + this.pendingCount) % this.pending.length] = this.down.value;
        this.pendingCount++;
      }
    }
    this.lastWork = 0;
    return this.stage === Stage.Learning ? 0 : unitScore(this.work(this.budget));
  }

  /**
   * The end of the learning period (code its blocks, estimate the starting vigilance, replay
   * them through the ART) and then the live blocks, in order, in units whose cost (values
   * touched) stops at `budget` per sample (0: no limit, everything in this sample as ARTime
   * does). A live block is presented at the latest one sample after it completed, two per
   * sample while a backlog from the end of learning remains, so the backlog drains. Returns the
   * largest score of the blocks presented.
   */
  private work(budget: number): number {
    const dim = this.dim;
    let spent = 0;
    let score = 0;
    let live = 0;
    for (;;) {
      // Spent: stop, except that a live block is presented at the latest one sample after it
      // completed, and a second one while a backlog remains (so the backlog drains).
      if (budget > 0 && spent >= budget && (this.stage !== Stage.Live || live >= 2)) break;
      if (this.stage === Stage.Coding) {
        const k = this.cursor++;
        this.features.push(this.levels.code(this.blockValues[k]!));
        this.rows.set(this.features.vector, k * dim);
        spent += 4 * dim;
        if (this.cursor === this.trend) {
          // ARTime estimates the vigilance on the complete feature windows only (blocks window … trend)
          const first = this.window - 1;
          this.estimate.start(this.rows, first, this.trend - first, this.trend >> 1);
          this.stage = Stage.Vigilance;
        }
      } else if (this.stage === Stage.Vigilance) {
        spent += this.estimate.advance(budget > 0 ? budget - spent : 0);
        if (this.estimate.done) {
          this.resonance.setVigilance(this.estimate.result, this.estimate.result);
          this.stage = Stage.Replay;
          this.cursor = 0;
        }
      } else if (this.stage === Stage.Replay) {
        const k = this.cursor++;
        spent += (this.resonance.art.categories + 1) * 2 * dim;
        this.resonance.step(this.rows, k + 1, k * dim);
        if (this.cursor === this.trend) this.stage = Stage.Live;
      } else {
        if (this.pendingCount === 0) break;
        const v = this.pending[this.pendingHead]!;
        this.pendingHead = (this.pendingHead + 1) % this.pending.length;
        this.pendingCount--;
        if (this.expand) this.setRange();
        this.features.push(this.levels.code(v));
        spent += (this.resonance.art.categories + 1) * 2 * dim;
        const s = this.resonance.step(this.features.vector, this.trend + ++this.presented);
        if (s > score) score = s;
        live++;
      }
    }
    this.lastWork = spent;
    return score;
  }

  private setRange(): void {
    if (this.fixedMax > this.fixedMin) {
      this.levels.setRange(this.fixedMin, this.fixedMax);
      return;
    }
    const span = this.seenMax - this.seenMin;
    this.levels.setRange(this.seenMin - span * this.marginLow, this.seenMax + span * this.margin);
  }

  reset(): void {
    this.down.reset();
    this.levels.reset();
    this.features.reset();
    this.resonance.reset();
    this.estimate.start(this.rows, 0, 0, 0);
    this.blocks = 0;
    this.presented = 0;
    this.lastWork = 0;
    this.pendingHead = 0;
    this.pendingCount = 0;
    this.stage = Stage.Learning;
    this.cursor = 0;
    this.seenMin = Infinity;
    this.seenMax = -Infinity;
  }
}

const enum Stage {
  Learning,
  Coding,
  Vigilance,
  Replay,
  Live,
}

export const artimeSpec: DetectorSpec = {
  name: 'artime',
  summary: 'ARTime (adaptive resonance, after M. Hampton): downsampled wavelet windows into a dual-vigilance fuzzy ART',
  defaults: {
    probation: 750,
    rows: 0,
    inputMin: 0,
    inputMax: 0,
    margin: 1,
    marginLow: 1,
    expand: 0,
    window: 8,
    windowsPerProbation: 13,
    levels: 80,
    chomp: 0.075,
    initialRho: 0.8,
    categories: 4096,
    evict: 0,
    budget: 0,
  },
  create: (p) => new ARTimeDetector(p),
};
