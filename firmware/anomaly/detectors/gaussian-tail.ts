import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { RecentMaxRatio } from '../recent-max-ratio.js';
import { RollingWindow } from '../rolling-window.js';
import { qFunction } from '../tail-probability.js';
import { ALERT_SHAPING_RANGES, FRACTION, MAX_WINDOW, optionalSamples, samples, SWITCH, type ParamRange } from '../param-ranges.js';

/**
 * Windowed Gaussian tail probability, over up to three scales. For each history scale the
 * last `long1|long2|long3` values (excluding the current one; 0 = scale off) give a mean and
 * deviation; the mean of the newest `short` values is compared with them as z, and the
 * two-sided tail probability p = 2 Q(|z|) becomes l = −log10 p, scored l / (l + `decades`)
 * (0.5 at p = 10^−decades). The largest l over scales and channels counts, so a spike shows at
 * a short scale and a slow shift at a long one. NAB's "windowed Gaussian" is the one-scale,
 * short = 1 case. With `diffWindow` > 0 the step x − x₋₁ is scored the same way against the
 * last `diffWindow` steps (a spike on a trend, a change of noise), as another channel.
 * With `seasonWindow` > 0 the residual against the same time one day earlier (x − x₋day, the
 * lag found from the sampling interval of the first two timestamps, up to 1440 samples) is a
 * third channel: a day that does not look like the day before (a flat middle, a missing
 * jump, a holiday in taxi counts) although every value is ordinary. With `seasonWeek` the
 * residual against the same time a week earlier is taken instead when it is smaller (up to a
 * week of 5-minute samples), so that weekday/weekend changes are not novel.
 */
export class GaussianTailDetector implements Detector {
  readonly name = 'gaussian-tail';
  /** −log10 of the smallest tail probability over the scales, for the last sample (0 while learning). */
  lastLogP = 0;
  private readonly history: RollingWindow[];
  private readonly recent: RollingWindow;
  private readonly minHistory: number;
  private readonly decades: number;
  /** The deviation of a mean of `short` values: sd · short^(−shortExp/2) (0: the sample sd, 1: independent samples). */
  private readonly meanScale: number;
  private readonly holdoff: AlertHoldoff;
  private readonly steps: RollingWindow | null;
  private prev = Number.NaN;
  /** Steps only count when larger than every step of the last `diffWindow` (periodic edges do not). */
  private readonly stepRecord: RecentMaxRatio | null;

  private readonly seasonRing: Float64Array;
  private readonly seasonResiduals: RollingWindow | null;
  private readonly seasonRecord: RecentMaxRatio | null;
  private seasonLag = 0;
  /** Smoothed season channel: the mean of the last `seasonShort` residuals against the residual history. */
  private readonly seasonRecent: RollingWindow | null;
  private readonly seasonMeanScale: number;
  private readonly seasonWeek: boolean;
  private firstT = Number.NaN;
  private seen = 0;

  constructor(p: DetectorParams) {
    // a scale of 0 is off
    this.history = [p.long1!, p.long2!, p.long3!].filter((n) => n > 0).map((n) => new RollingWindow(n));
    this.recent = new RollingWindow(p.short!);
    this.minHistory = p.minHistory!;
    this.decades = p.decades!;
    this.meanScale = Math.pow(p.short!, -(p.shortExp ?? 0) / 2);
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
    this.steps = p.diffWindow! > 0 ? new RollingWindow(p.diffWindow!) : null;
    this.stepRecord = p.diffWindow! > 0 && p.diffNovel! > 0 ? new RecentMaxRatio(p.diffWindow!) : null;
    this.seasonRing = new Float64Array(p.seasonWindow! > 0 ? SEASON_RING : 0);
    this.seasonWeek = p.seasonWeek! > 0;
    this.seasonResiduals = p.seasonWindow! > 0 ? new RollingWindow(p.seasonWindow!) : null;
    this.seasonRecord = p.seasonWindow! > 0 && p.diffNovel! > 0 ? new RecentMaxRatio(p.seasonWindow!) : null;
    this.seasonRecent = p.seasonWindow! > 0 && (p.seasonShort ?? 0) > 1 ? new RollingWindow(p.seasonShort!) : null;
    this.seasonMeanScale = Math.pow(p.seasonShort ?? 1, -(p.shortExp ?? 0) / 2);
  }

  /** −log10 of the two-sided Gaussian tail probability of x against window h. */
  private static logTail(x: number, h: RollingWindow, sdScale = 1): number {
    const mu = h.mean();
    // A flat history has no deviation: a floor relative to the level keeps z finite.
    const sd = Math.max(h.std() * sdScale, 1e-3 * Math.abs(mu), 1e-9);
    const p = 2 * qFunction(Math.abs(x - mu) / sd);
    return p > 0 ? -Math.log10(p) : 300;
  }

  update(tMs: number, x: number): number {
    // a sensor fault (NaN, ±Infinity) is not a sample: it scores 0 and leaves the state as it was
    if (!Number.isFinite(x)) return 0;
    this.recent.push(x);
    const m = this.recent.mean();
    let bestLog = 0;
    for (let k = 0; k < this.history.length; k++) {
      const h = this.history[k]!;
      if (h.count >= this.minHistory) {
        const l = GaussianTailDetector.logTail(m, h, this.meanScale);
        if (l > bestLog) bestLog = l;
      }
      h.push(x);
    }
    if (this.steps) {
      if (!Number.isNaN(this.prev)) {
        const step = x - this.prev;
        const novel = this.stepRecord ? this.stepRecord.push(Math.abs(step)) > 0.5 : true;
        if (this.steps.count >= this.minHistory && novel) {
          const l = GaussianTailDetector.logTail(step, this.steps);
          if (l > bestLog) bestLog = l;
        }
        this.steps.push(step);
      }
      this.prev = x;
    }
    if (this.seasonResiduals) {
      if (this.seen === 0) this.firstT = tMs;
      else if (this.seen === 1) {
        const lag = Math.round(DAY_MS / (tMs - this.firstT));
        this.seasonLag = lag >= 4 && lag <= MAX_SEASON_LAG ? lag : 0;
      }
      const lag = this.seasonLag;
      if (lag > 0 && this.seen >= lag) {
        let r = x - this.seasonRing[(this.seen - lag) % SEASON_RING]!;
        if (this.seasonWeek && 7 * lag <= SEASON_RING && this.seen >= 7 * lag) {
          // a Monday is compared with last Monday too: the smaller residual counts
          const rw = x - this.seasonRing[(this.seen - 7 * lag) % SEASON_RING]!;
          if (Math.abs(rw) < Math.abs(r)) r = rw;
        }
        const novel = this.seasonRecord ? this.seasonRecord.push(Math.abs(r)) > 0.5 : true;
        if (this.seasonResiduals.count >= this.minHistory && novel) {
          const l = GaussianTailDetector.logTail(r, this.seasonResiduals);
          if (l > bestLog) bestLog = l;
        }
        if (this.seasonRecent) {
          this.seasonRecent.push(r);
          if (this.seasonResiduals.count >= this.minHistory) {
            const l = GaussianTailDetector.logTail(this.seasonRecent.mean(), this.seasonResiduals, this.seasonMeanScale);
            if (l > bestLog) bestLog = l;
          }
        }
        this.seasonResiduals.push(r);
      }
      this.seasonRing[this.seen % SEASON_RING] = x;
    }
    this.seen++;
    this.lastLogP = bestLog;
    return this.holdoff.apply(unitScore(bestLog / (bestLog + this.decades)));
  }

  reset(): void {
    for (const h of this.history) h.clear();
    this.recent.clear();
    this.holdoff.reset();
    this.lastLogP = 0;
    this.steps?.clear();
    this.stepRecord?.reset();
    this.seasonRing.fill(0);
    this.seasonResiduals?.clear();
    this.seasonRecent?.clear();
    this.seasonRecord?.reset();
    this.seasonLag = 0;
    this.firstT = Number.NaN;
    this.seen = 0;
    this.prev = Number.NaN;
  }
}

const DAY_MS = 86_400_000;
/** One day of 1-minute samples. */
const MAX_SEASON_LAG = 1440;
/** Values kept for the seasonal residuals: a week of 5-minute samples. */
const SEASON_RING = 2016;

/** The value, step and season channels, as the ensemble exposes them too. */
export const GAUSSIAN_CHANNEL_RANGES: Readonly<Record<string, ParamRange>> = {
  long1: optionalSamples(2),
  long2: optionalSamples(2),
  long3: optionalSamples(2),
  decades: { min: 0.1, max: 100 },
  diffWindow: optionalSamples(2),
  diffNovel: SWITCH,
  seasonWindow: optionalSamples(2),
  seasonWeek: SWITCH,
};

export const gaussianTailSpec: DetectorSpec = {
  name: 'gaussian-tail',
  summary: 'windowed Gaussian tail probability (−log10 2Q(|z|)) of value, step and same-time-yesterday residual, up to 3 scales, holdoff and fatigue',
  defaults: {
    short: 1,
    shortExp: 0,
    long1: 6400,
    long2: 0,
    long3: 0,
    minHistory: 16,
    decades: 8,
    diffWindow: 6400,
    diffNovel: 1,
    seasonWindow: 2000,
    seasonWeek: 0,
    seasonShort: 0,
    alertLevel: 0.45,
    holdoff: 100,
    damp: 0,
    fatigue: 0.1,
    fatigueTau: 2000,
  },
  ranges: {
    short: samples(1),
    shortExp: FRACTION,
    minHistory: samples(1),
    ...GAUSSIAN_CHANNEL_RANGES,
    seasonShort: { min: 0, max: MAX_WINDOW, integer: true },
    ...ALERT_SHAPING_RANGES,
  },
  create: (p) => new GaussianTailDetector(p),
};
