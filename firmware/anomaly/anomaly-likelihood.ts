import { RollingWindow } from './rolling-window.js';
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
 * them in until they shift out of its window). Running sums (RollingWindow) make the fit O(1).
 */
export class AnomalyLikelihood {
  /** The last `short` raw scores. */
  private readonly recent: RollingWindow;
  /** The short means of the last `long` samples after learning. */
  private readonly means: RollingWindow;
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
    this.recent = new RollingWindow(Math.floor(short));
    this.means = new RollingWindow(Math.floor(long));
  }

  /** Feeds one raw score (finite, usually in [0, 1]) and returns the likelihood in [0, 1]. */
  update(raw: number): number {
    this.recent.push(raw);
    const avg = this.recent.mean();
    this.lastMean = avg;
    let likelihood = 0.5;
    if (this.seen >= this.learn + this.estimate && this.means.count > 1) {
      if (!this.fitted || this.seen % this.refit === 0) this.fit();
      let z = (avg - this.mean) / this.sd;
      if (z < 0) z = this.twoSided ? -z : 0;
      likelihood = 1 - qFunction(z);
    }
    if (this.seen >= this.learn) this.means.push(avg);
    this.seen++;
    return likelihood;
  }

  /** NAB's scaling of a likelihood: 0.5 at 1 − 1e-5, 1 at 1 − 1e-10. */
  static logScore(likelihood: number): number {
    return Math.log(1.0000000001 - likelihood) / -23.02585084720009;
  }

  private fit(): void {
    const m = this.means.mean();
    const v = this.means.variance();
    this.mean = m < this.meanFloor ? this.meanFloor : m;
    this.sd = Math.sqrt(v >= this.varFloor ? v : this.varFloor);
    this.fitted = true;
  }

  reset(): void {
    this.recent.clear();
    this.means.clear();
    this.seen = 0;
    this.lastMean = 0;
    this.fitted = false;
    this.mean = 0;
    this.sd = 1;
  }
}
