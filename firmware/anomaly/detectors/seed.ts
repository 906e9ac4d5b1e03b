import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { IsolationForest } from '../iforest/forest.js';

/**
 * The article's detector, kept as the baseline and reproduced faithfully:
 *
 *     window.append(x); window = window[-10:]
 *     if len(window) < 5: return False
 *     model = IsolationForest(contamination=0.05).fit(window)       # refit on EVERY sample
 *     return model.decision_function(window[-1:])[0] < -0.7
 *
 * The forest is the shared scikit-learn-semantics one (100 trees, ψ = min(256, n) = n, offset
 * from the contamination quantile). Only the randomness differs: sklearn draws a fresh random
 * state per fit, here every fit uses the same seed so the detector is reproducible.
 *
 * Why the alert never fires: the newest sample is part of the 10 training samples, and
 * offset_ is numpy's linear 5th percentile of their score_samples, s(1) + 0.45·(s(2) − s(1))
 * for 10 samples (s(i) ascending). The newest sample's decision is therefore at least
 * −0.45·(s(2) − s(1)) > −0.45, because score_samples lie in [−1, 0): −0.7 is unreachable by
 * construction, whatever the value (test/anomaly/seed.test.ts measures ≈ −0.13 for a 10⁶
 * outlier). With 5–9 samples the bound is tighter still (−0.2 to −0.4).
 *
 * So that the baseline still ranks samples, `update` returns −decision / 0.45 clamped to
 * [0, 1]: the share of the reachable negative range; `alert` keeps the article's verdict.
 */
export class SeedDetector implements Detector {
  readonly name = 'seed';
  /** decision_function of the newest sample (NaN before the window holds `minWindow` samples). */
  decision = Number.NaN;
  /** The article's verdict: decision < threshold (−0.7). */
  alert = false;
  private readonly forest: IsolationForest;
  private readonly window: Float64Array;
  private readonly minWindow: number;
  private readonly threshold: number;
  private count = 0;

  constructor(p: DetectorParams) {
    this.window = new Float64Array(p.window!);
    this.minWindow = p.minWindow!;
    this.threshold = p.threshold!;
    this.forest = new IsolationForest({ trees: p.trees!, maxSamples: 256, contamination: p.contamination!, seed: p.seed! });
  }

  update(_tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    const w = this.window;
    // the article's list: append, drop the oldest; kept in order so the newest is the last row
    if (this.count === w.length) w.copyWithin(0, 1);
    else this.count++;
    w[this.count - 1] = x;
    if (this.count < this.minWindow) {
      this.decision = Number.NaN;
      this.alert = false;
      return 0;
    }
    this.forest.fit(w, this.count, 1);
    this.decision = this.forest.decision(w, this.count - 1);
    this.alert = this.decision < this.threshold;
    return unitScore(-this.decision / REACHABLE_DECISION);
  }

  reset(): void {
    this.window.fill(0);
    this.count = 0;
    this.decision = Number.NaN;
    this.alert = false;
  }
}

/** |lowest reachable decision| for a 10-sample window: the 0.45 interpolation weight of the 5th percentile. */
export const REACHABLE_DECISION = 0.45;

export const seedSpec: DetectorSpec = {
  name: 'seed',
  summary: "the article's IsolationForest(contamination=0.05) refit per sample on the last 10 values (baseline)",
  defaults: { window: 10, minWindow: 5, trees: 100, contamination: 0.05, threshold: -0.7, seed: 0 },
  create: (p) => new SeedDetector(p),
};
