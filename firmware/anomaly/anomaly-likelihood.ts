import { qFunction } from './tail-probability.js';

/**
 * Numenta's "anomaly likelihood" (Ahmad, Lavin, Purdy, Agha 2017, "Unsupervised real-time
 * anomaly detection for streaming data", Neurocomputing; nupic `anomaly_likelihood.py`, used
 * by NAB's `numenta` detectors), streaming and allocation-free.
 *
 * A raw anomaly score is turned into "how unusual is the recent level of the raw score for
 * THIS stream": the mean of the last `short` raw scores is compared with a Gaussian fitted to
 * those short means over the last `long` samples, refitted every `refit` samples (nupic: 10,
 * 8640, 100), and the likelihood is 1 − Q(z). A stream whose raw score is often high (bursty)
 * gets a wide Gaussian, so the same raw score means less there than in a quiet stream.
 *
 * As in nupic: the first `learn` short means are not used for the fit (the raw detector is
 * still learning), the likelihood is 0.5 until `learn` + `estimate` samples have been seen,
 * the fitted mean and variance are floored (`meanFloor` 0.03, `varFloor` 0.0003), and the
 * tail is two-sided (a mean far BELOW the fitted one is unlikely too) unless `twoSided` is
 * false. `logScore` is NAB's log-likelihood scaling, log(1 + 1e-10 − L) / log(1e-10).
 *
 * Differences from nupic: the fit uses the short means as they were computed when each
 * sample arrived (nupic recomputes them over its history at each refit, so its first few are
 * means of fewer samples); the skipped learning samples are never in the history (nupic keeps
 * them in until they shift out of its window). Running sums make the fit O(1); they are
 * recomputed exactly from the ring once per `long` samples so rounding cannot drift.
 */
export class AnomalyLikelihood {
  private readonly shortRing: Float64Array;
  private readonly hist: Float64Array;
  private shortHead = 0;
  private shortN = 0;
  private shortSum = 0;
  private histHead = 0;
  private histN = 0;
  private sum = 0;
  private sumSq = 0;
  private seen = 0;
  private fitted = false;
  private mean = 0;
  private sd = 1;
  /** The last short mean (for inspection). */
  lastMean = 0;

  constructor(
    readonly short: number,
    readonly long: number,
    private readonly learn: number,
    private readonly estimate: number,
    private readonly refit: number,
    private readonly meanFloor = 0.03,
    private readonly varFloor = 0.0003,
    private readonly twoSided = true,
  ) {
    if (!(short >= 1 && long >= 2 && refit >= 1)) throw new RangeError('AnomalyLikelihood: short ≥ 1, long ≥ 2, refit ≥ 1');
    this.shortRing = new Float64Array(Math.floor(short));
    this.hist = new Float64Array(Math.floor(long));
  }

  /** Feeds one raw score (finite, usually in [0, 1]) and returns the likelihood in [0, 1]. */
  update(raw: number): number {
    // the short moving mean
    const sr = this.shortRing;
    if (this.shortN === sr.length) this.shortSum -= sr[this.shortHead]!;
    else this.shortN++;
    sr[this.shortHead] = raw;
    this.shortSum += raw;
    this.shortHead = (this.shortHead + 1) % sr.length;
    const avg = this.shortSum / this.shortN;
    this.lastMean = avg;

    let likelihood = 0.5;
    if (this.seen >= this.learn + this.estimate && this.histN > 1) {
      if (!this.fitted || this.seen % this.refit === 0) this.fit();
      let z = (avg - this.mean) / this.sd;
      if (z < 0) z = this.twoSided ? -z : 0;
      likelihood = 1 - qFunction(z);
    }
    if (this.seen >= this.learn) this.push(avg);
    this.seen++;
    return likelihood;
  }

  /** NAB's scaling of a likelihood: 0.5 at 1 − 1e-5, 1 at 1 − 1e-10. */
  static logScore(likelihood: number): number {
    return Math.log(1.0000000001 - likelihood) / -23.02585084720009;
  }

  private push(v: number): void {
    const h = this.hist;
    if (this.histN === h.length) {
      const old = h[this.histHead]!;
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.histN++;
    h[this.histHead] = v;
    this.sum += v;
    this.sumSq += v * v;
    this.histHead = (this.histHead + 1) % h.length;
    if (this.histHead === 0) {
      // once per lap: exact sums again
      let s = 0;
      let q = 0;
      for (let i = 0; i < this.histN; i++) {
        const x = h[i]!;
        s += x;
        q += x * x;
      }
      this.sum = s;
      this.sumSq = q;
    }
  }

  private fit(): void {
    const n = this.histN;
    let m = this.sum / n;
    let v = this.sumSq / n - m * m;
    if (m < this.meanFloor) m = this.meanFloor;
    if (!(v >= this.varFloor)) v = this.varFloor;
    this.mean = m;
    this.sd = Math.sqrt(v);
    this.fitted = true;
  }

  reset(): void {
    this.shortHead = this.shortN = this.histHead = this.histN = this.seen = 0;
    this.shortSum = this.sum = this.sumSq = this.lastMean = 0;
    this.fitted = false;
    this.mean = 0;
    this.sd = 1;
  }
}
