import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { IsolationForest } from '../iforest/forest.js';
import { FEATURE_COUNT, StreamFeatures } from '../stream-features.js';

/**
 * Isolation Forest over engineered features (stream-features.ts). Feature rows of the last
 * `history` samples are kept in a row-major ring; the forest (`trees` trees, ψ = `maxSamples`)
 * is refit every `refitEvery` samples on that ring (row order does not matter to a forest
 * fit on random sub-samples), not per sample. Each sample is scored by the forest fitted
 * before it arrived, so a sample never helps isolate itself. The score is the forest's
 * 2^(−E(h)/c(ψ)) (0.5 is ordinary, near 1 isolated), rescaled from [0.5, 1] to [0, 1], then
 * shaped by the same alert holdoff and fatigue as the default detector (alert-holdoff.ts).
 */
export class IForestStreamDetector implements Detector {
  readonly name = 'iforest';
  private readonly features: StreamFeatures;
  private readonly ring: Float64Array;
  private readonly row: Float64Array;
  private readonly history: number;
  private readonly refitEvery: number;
  private readonly minTrain: number;
  private forest: IsolationForest;
  private readonly holdoff: AlertHoldoff;
  private head = 0;
  private rows = 0;
  private sinceFit = 0;

  constructor(p: DetectorParams) {
    this.features = new StreamFeatures(p.short!, p.medium!, p.long!);
    this.history = p.history!;
    this.refitEvery = p.refitEvery!;
    this.minTrain = p.minTrain!;
    this.ring = new Float64Array(this.history * FEATURE_COUNT);
    this.row = new Float64Array(FEATURE_COUNT);
    this.forest = new IsolationForest({ trees: p.trees!, maxSamples: p.maxSamples!, seed: p.seed! });
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
  }

  update(_tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    this.features.push(x, this.row, 0);
    const score = this.forest.fitted ? unitScore(2 * this.forest.score(this.row) - 1) : 0;
    this.ring.set(this.row, this.head * FEATURE_COUNT);
    this.head = (this.head + 1) % this.history;
    if (this.rows < this.history) this.rows++;
    this.sinceFit++;
    if (this.rows >= this.minTrain && (this.sinceFit >= this.refitEvery || !this.forest.fitted)) {
      this.forest.fit(this.ring, this.rows, FEATURE_COUNT);
      this.sinceFit = 0;
    }
    return this.holdoff.apply(score);
  }

  reset(): void {
    this.features.reset();
    this.ring.fill(0);
    this.head = this.rows = this.sinceFit = 0;
    this.holdoff.reset();
    // an unfitted forest is the start state (reset is rare: allocating here is fine)
    this.forest = new IsolationForest({
      trees: this.forest.trees,
      maxSamples: this.forest.maxSamples,
      seed: this.forest.seed,
    });
  }
}

export const iforestSpec: DetectorSpec = {
  name: 'iforest',
  summary: 'Isolation Forest on lags, differences and multi-scale rolling mean/deviation, refit on a schedule',
  defaults: {
    trees: 100,
    maxSamples: 256,
    history: 2048,
    refitEvery: 256,
    minTrain: 128,
    short: 8,
    medium: 32,
    long: 128,
    seed: 0,
    alertLevel: 0.4,
    holdoff: 100,
    damp: 0,
    fatigue: 0.1,
    fatigueTau: 2000,
  },
  create: (p) => new IForestStreamDetector(p),
};
