import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../../detector.js';
import { ContextOperator } from './context-operator.js';
import { ValueRange } from './value-range.js';

/**
 * `cad-ose`: Contextual Anomaly Detector, open source edition (Mikhail Smirnov, 2016; NAB's
 * `contextOSE`, published NAB standard 69.9).
 *
 * Licence: the original (github.com/smirmik/CAD, copied into numenta/NAB under
 * nab/detectors/context_ose/) is AGPL-3.0. This is an independent implementation of the
 * published algorithm with our own data structures (typed arrays and fixed-capacity hash
 * tables instead of Python dicts and lists), not a translation of that code.
 *
 * The algorithm, per sample:
 * - the value is quantised into 2^`bits` levels over the value range (value-range.ts) and
 *   written as `bits` binary digits; each digit is one "sensor fact" (position, bit);
 * - if some sensor fact was not among those predicted at the previous step, the sample is
 *   surprising and its raw score is (1 − active share + new share) / 2 from the context
 *   operator (context-operator.ts): few of the contexts that fitted the past completed now,
 *   and many of the contexts this transition implies were never seen; otherwise it is 0;
 * - rest: the score is reported only if no raw score of the previous `restPeriod` samples
 *   reached `threshold` (0.75), and the first `restPeriod` samples report 0. NAB sets
 *   restPeriod to a fifth of the file's probation (≤ 150 rows): a file length is look-ahead,
 *   so the default is a fixed 120, NAB's value for its usual 4032-row file (rest = 0 disables
 *   it; on NAB, fixed 150 scored 63.6 and fixed 100 scored 56.4 against 56.1 for 120).
 *
 * Where this differs from the Python: ties among equally often active contexts are broken by
 * our hash of their fact sets, not by CPython 2's tuple hash, so a different but equally
 * ranked set of "neurons" may be chosen; contexts of one left part are visited in creation
 * order (Python 2 visits dict keys in hash-table order); memory is bounded (`maxContexts`,
 * `maxLeftSets`, `leftPool`, `maxPotentials`): when full, new contexts still count as new but
 * are not stored. The range is streaming (value-range.ts: the extremes of the first
 * `rangeWarmup` samples widened by `rangeMargin` of their span on each side) unless
 * `rangeMode` 1 gives a fixed [inputMin, inputMax]; nab-setup.ts runs NAB's look-ahead setup.
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
    });
    this.range = new ValueRange(p.rangeMode === 1, p.inputMin!, p.inputMax!, 1 << this.bits, p.rangeMargin!, p.rangeWarmup!);
    this.restPeriod = Math.trunc(p.restPeriod!);
    this.threshold = p.threshold!;
  }

  /** The context memory (for sizing and tests). */
  get memory(): ContextOperator {
    return this.op;
  }

  update(_tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    const q = this.range.level(x);
    let sensor = 0;
    for (let b = 0; b < this.bits; b++) sensor |= 1 << (2 * b + ((q >> b) & 1));
    const surprised = (sensor & ~this.predicted) !== 0;
    this.op.step(sensor);
    this.predicted = this.op.predicted;
    const raw = surprised ? (1 - this.op.activeShare + this.op.addedShare) / 2 : 0;
    const i = this.n++;
    this.lastRaw = raw;
    // silent while a raw score ≥ threshold lies in the last restPeriod samples (before this one)
    const quiet = this.restPeriod <= 0 || this.lastHigh < i - this.restPeriod;
    if (raw >= this.threshold) this.lastHigh = i;
    return quiet ? unitScore(raw) : 0;
  }

  reset(): void {
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
  summary: 'CAD OSE (Smirnov): context memory over 3-bit quantised values, range of the first 750 samples ± 50 %, rest 120 after a score ≥ 0.75',
  defaults: {
    bits: 3,
    maxLeftMatch: 7,
    maxNeurons: 15,
    threshold: 0.75,
    restPeriod: 120,
    rangeMode: 0,
    rangeMargin: 0.5,
    rangeWarmup: 750,
    inputMin: 0,
    inputMax: 1,
    // 4× the most any NAB file needs (15 108 contexts, 2 578 left parts, 26 234 pooled facts): ≈ 6 MB a stream
    maxContexts: 1 << 16,
    maxLeftSets: 1 << 14,
    leftPool: 1 << 17,
    maxPotentials: 1 << 13,
  },
  create: (p) => new CadOseDetector(p),
};
