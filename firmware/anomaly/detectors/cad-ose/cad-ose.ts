import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../../detector.js';
import { ContextOperator } from './context-operator.js';
import { ValueRange } from './value-range.js';

/**
 * `cad-ose`: Contextual Anomaly Detector, open source edition (Mikhail Smirnov, 2016; NAB's
 * `contextOSE`, published NAB standard 69.9).
 *
 * Licence: the original (github.com/smirmik/CAD) is AGPL-3.0, and so was its copy in
 * numenta/NAB (nab/detectors/context_ose/) until NAB was relicensed MIT in December 2024
 * (NAB commit ea702d7). This is an independent implementation of the algorithm with our own
 * data structures (typed arrays and fixed-capacity hash tables instead of Python dicts and
 * lists), not a translation of that code.
 *
 * Fidelity: with NAB's setup (nab-setup.ts) it scores 69.9 / 67.0 / 73.0 (standard / low FP /
 * low FN) against the published 69.9 / 67.0 / 73.2, and NAB's own Python, with its tuple
 * hash replaced by ours for the tie-break below, gives bit-identical scores on every row of
 * the seven files checked (iio_us-east-1, exchange-2_cpc, art_daily_jumpsup, nyc_taxi,
 * Twitter_volume_AAPL, art_noisy, ec2_cpu_utilization_5f5533: 41 185 rows).
 *
 * The algorithm, per sample:
 * - the value is quantised into 2^`bits` levels over the value range (value-range.ts) and
 *   written as `bits` binary digits; each digit is one "sensor fact" (position, bit);
 * - its raw score is (1 − active share + new share) / 2 from the context operator
 *   (context-operator.ts): few of the contexts that fitted the past completed now, and many
 *   of the contexts this transition implies were never seen. With `predict` 1 (the first
 *   published version, NAB commit 059c782) the raw score is 0 whenever every sensor fact was
 *   among those the memory predicted at the previous step; NAB's published CAD OSE results
 *   (69.9) came from the version of 2016-08-09 with that "predictive logic deleted", which
 *   is the default here (`predict` 0);
 * - rest: the score is reported only if no raw score of the previous `restPeriod` samples
 *   reached `threshold` (0.75), and the first `restPeriod` samples report 0. NAB sets
 *   restPeriod to a fifth of the file's probation (≤ 150 rows): a file length is look-ahead,
 *   so the default is a fixed 120, NAB's value for its usual 4032-row file (rest = 0 disables
 *   it; on NAB, rest 100 / 120 / 150 score 63.5 / 62.9 / 61.6, and with NAB's look-ahead
 *   range a fixed 120 scores 65.9 against 69.9 with NAB's per-file rest).
 *
 * Where this differs from the Python: ties among equally often active contexts are broken by
 * our hash of their fact sets, not by CPython's tuple hash, so a different but equally
 * ranked set of "neurons" may be chosen; contexts of one left part are visited in creation
 * order (as Python 3 does; Python 2, which made NAB's published results, visits dict keys in
 * hash-table order): so our rows match NAB's published ones exactly only until the first
 * such tie (the first 129–397 rows of the files checked); memory is bounded (`maxContexts`,
 * `maxLeftSets`, `leftPool`, `maxPotentials`): when full, new contexts still count as new but
 * are not stored.
 *
 * The range is streaming (value-range.ts) unless `rangeMode` 1 gives a fixed [inputMin,
 * inputMax] (nab-setup.ts runs NAB's look-ahead setup with it). The streaming range is the
 * extremes of the first `rangeWarmup` samples widened by `rangeMargin` of their span on each
 * side, then frozen; a later value outside it widens it again (with the margin) and the
 * memory is rebuilt by replaying the last `relearn` values quantised the new way (relearn 0:
 * such values take the edge level). So after the first large excursion the levels resemble
 * NAB's whole-file ones, without knowing the future. On NAB: 62.9 standard; without the
 * relearn 52.3 (the best without it 56.7: first 750 samples ± 50 %); a range that simply
 * widens forever 45.5. The replay is a burst of up to `relearn` steps (tens of ms) once per
 * widening (on NAB: median 1, at most 6 widenings a file), each adding the margin again.
 */
export class CadOseDetector implements Detector {
  readonly name = 'cad-ose';
  /** Score before the rest rule (what CAD OSE keeps in its history). */
  lastRaw = 0;
  private readonly op: ContextOperator;
  private readonly range: ValueRange;
  private readonly bits: number;
  private readonly restPeriod: number;
  private readonly threshold: number;
  /** Index of the last raw score ≥ threshold (−1: CAD OSE starts its history with a 1). */
  private lastHigh = -1;
  private n = 0;
  private predicted = 0;
  /** The last `relearn` values (a ring), replayed into a fresh memory when the range widens. */
  private readonly history: Float64Array;
  private readonly relearnN: number;
  private readonly predictGate: boolean;
  private historyHead = 0;
  private historyCount = 0;

  constructor(p: DetectorParams) {
    this.bits = p.bits!;
    if (!(this.bits >= 1 && this.bits <= 5)) throw new RangeError(`cad-ose: bits must be 1…5, got ${this.bits}`);
    this.op = new ContextOperator({
      sensorFacts: 2 * this.bits,
      maxLeftMatch: p.maxLeftMatch!,
      maxNeurons: p.maxNeurons!,
      maxContexts: p.maxContexts!,
      maxLeftSets: p.maxLeftSets!,
      leftPool: p.leftPool!,
      maxPotentials: p.maxPotentials!,
      predicts: p.predict === 1,
    });
    this.range = new ValueRange(p.rangeMode === 1, p.inputMin!, p.inputMax!, 1 << this.bits, p.rangeMargin!, p.rangeWarmup!);
    this.restPeriod = Math.trunc(p.restPeriod!);
    this.threshold = p.threshold!;
    this.predictGate = p.predict === 1;
    this.relearnN = Math.max(0, Math.trunc(p.relearn!));
    this.history = new Float64Array(Math.max(1, this.relearnN));
  }

  /** The context memory (for sizing and tests). */
  get memory(): ContextOperator {
    return this.op;
  }

  update(_tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    if (this.relearnN > 0) {
      if (this.range.outside(x)) this.relearn(x);
      this.history[this.historyHead] = x;
      this.historyHead = (this.historyHead + 1) % this.relearnN;
      if (this.historyCount < this.relearnN) this.historyCount++;
    }
    const surprised = this.learn(x);
    const raw = surprised ? (1 - this.op.activeShare + this.op.addedShare) / 2 : 0;
    const i = this.n++;
    this.lastRaw = raw;
    // silent while a raw score ≥ threshold lies in the last restPeriod samples (before this one)
    const quiet = this.restPeriod <= 0 || this.lastHigh < i - this.restPeriod;
    if (raw >= this.threshold) this.lastHigh = i;
    return quiet ? unitScore(raw) : 0;
  }

  /** Steps the context memory with x; true if x had a sensor fact that was not predicted. */
  private learn(x: number): boolean {
    const q = this.range.level(x);
    let sensor = 0;
    for (let b = 0; b < this.bits; b++) sensor |= 1 << (2 * b + ((q >> b) & 1));
    const surprised = !this.predictGate || (sensor & ~this.predicted) !== 0;
    this.op.step(sensor);
    this.predicted = this.op.predicted;
    return surprised;
  }

  /**
   * x lies outside the frozen range: widen it to x, and rebuild the memory from the last
   * values quantised the new way, so that the old levels do not all turn novel at once.
   * A burst of `relearn` steps, once per widening (rare by construction: each widening adds
   * the margin again).
   */
  private relearn(x: number): void {
    this.range.widen(x);
    this.op.reset();
    this.predicted = 0;
    const start = this.historyCount < this.relearnN ? 0 : this.historyHead;
    for (let k = 0; k < this.historyCount; k++) this.learn(this.history[(start + k) % this.relearnN]!);
  }

  reset(): void {
    this.historyHead = 0;
    this.historyCount = 0;
    this.op.reset();
    this.range.reset();
    this.lastHigh = -1;
    this.n = 0;
    this.predicted = 0;
    this.lastRaw = 0;
  }
}

export const cadOseSpec: DetectorSpec = {
  name: 'cad-ose',
  summary: 'CAD OSE (Smirnov): context memory over 3-bit quantised values, streaming range (first 400 samples ± 25 %, relearn on widening), rest 120',
  defaults: {
    bits: 3,
    maxLeftMatch: 7,
    maxNeurons: 15,
    threshold: 0.75,
    restPeriod: 120,
    rangeMode: 0,
    rangeMargin: 0.25,
    rangeWarmup: 400,
    relearn: 3000,
    predict: 0,
    inputMin: 0,
    inputMax: 1,
    // ≥ 7× the most any NAB file needs with these defaults (9 335 contexts, 1 505 left parts,
    // 16 607 pooled facts over ≤ 22 695 rows): 4.8 MiB of typed arrays a stream
    maxContexts: 1 << 16,
    maxLeftSets: 1 << 14,
    leftPool: 1 << 17,
    maxPotentials: 1 << 13,
  },
  create: (p) => new CadOseDetector(p),
};
