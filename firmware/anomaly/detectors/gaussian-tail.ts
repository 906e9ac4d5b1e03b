import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { RollingWindow } from '../rolling-window.js';
import { qFunction } from '../tail-probability.js';

/**
 * Multi-scale Gaussian tail probability. For each of three history scales the last
 * `long1|long2|long3` values (excluding the current one) give a mean and deviation; the mean
 * of the newest `short` values is compared with them as z, and the two-sided tail
 * probability p = 2 Q(|z|) is turned into a score by −log10(p) / `decades` (p = 10^−decades
 * or smaller scores 1). The score is the largest over the scales, so a spike shows at the
 * short scale and a slow shift at the long one. NAB's "windowed Gaussian" is the one-scale,
 * short = 1 case.
 */
export class GaussianTailDetector implements Detector {
  readonly name = 'gaussian-tail';
  private readonly history: RollingWindow[];
  private readonly recent: RollingWindow;
  private readonly minHistory: number;
  private readonly decades: number;
  private readonly holdoff: AlertHoldoff;

  constructor(p: DetectorParams) {
    this.history = [p.long1!, p.long2!, p.long3!].map((n) => new RollingWindow(n));
    this.recent = new RollingWindow(p.short!);
    this.minHistory = p.minHistory!;
    this.decades = p.decades!;
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!);
  }

  update(_tMs: number, x: number): number {
    this.recent.push(x);
    const m = this.recent.mean();
    let best = 0;
    for (let k = 0; k < this.history.length; k++) {
      const h = this.history[k]!;
      if (h.count >= this.minHistory) {
        const mu = h.mean();
        // A flat history has no deviation: a floor relative to the level keeps z finite.
        const sd = Math.max(h.std(), 1e-3 * Math.abs(mu), 1e-9);
        const p = 2 * qFunction(Math.abs(m - mu) / sd);
        const l = p > 0 ? -Math.log10(p) : 300;
        const s = l / (l + this.decades);
        if (s > best) best = s;
      }
      h.push(x);
    }
    return this.holdoff.apply(unitScore(best));
  }

  reset(): void {
    for (const h of this.history) h.clear();
    this.recent.clear();
    this.holdoff.reset();
  }
}

export const gaussianTailSpec: DetectorSpec = {
  name: 'gaussian-tail',
  summary: 'multi-scale windowed Gaussian tail probability (−log10 of 2Q(|z|))',
  defaults: { short: 1, long1: 64, long2: 288, long3: 2016, minHistory: 16, decades: 8, alertLevel: 1, holdoff: 0, damp: 0 },
  create: (p) => new GaussianTailDetector(p),
};
