import { FuzzyArt } from './fuzzy-art.js';

/**
 * ARTime's decision stage, one call per downsampled step i (1, 2, …): present the feature
 * vector to a dual-vigilance fuzzy ART, adapt the vigilance bounds to the stream, and turn a
 * novelty (no category reached ρ_lb) into an anomaly score unless it repeats a recent one.
 *
 * - Steps i < `window` (an incomplete feature window) are presented without learning.
 * - Masking: for `mask` steps after an anomaly, and after any novelty or vigilance change
 *   until `mask` steps pass without a novelty, a novelty only counts when its match is below
 *   0.9 (just after an anomaly) or 0.7 (otherwise) of the last anomaly's match: one event
 *   gives one alert, a clearly worse one gives another.
 * - Vigilance: ρ_ub follows the mean match of every step so far (at most 0.97). ρ_lb moves
 *   every `trend`/2 steps and `mask` steps after an anomaly: up by 19 % of the gap when even the
 *   worst match of the last `trend`/2 + 1 steps stayed above it; otherwise down by half the
 *   mean of the recent clear shortfalls ρ_ub − match (those > 0.05, each capped at 0.37; at
 *   least 0.01), but never below the mean match of past anomalies, and never above ρ_ub.
 * - Score of an anomaly (confidence): with f = min(match, 0.999),
 *   0.35 (ρ_ub − f)/(1 − f) + 0.65 (ρ_lb − f)/(1 − f) + 1.5 (1 − energy match), at most 1,
 *   rounded to 6 decimals: how far below both bounds the input fell, plus how badly its
 *   newest level fits the best category.
 * - No score and no vigilance change while i ≤ `trend` (the learning period).
 */
export class Resonance {
  readonly art: FuzzyArt;
  private lastAnomalyI = 0;
  private lastAnomalyMatch = 0;
  private lastRhoUpdateI = 0;
  private maskAfterNovelty = false;
  private sinceNovelty = 0;
  /** Running mean of every match (updated as m += (a − m)/n). */
  private matchMean = 0;
  private matchCount = 0;
  /** Matches of the last trend/2 + 1 steps (ring), started at 1. */
  private readonly recent: Float64Array;
  private recentNext = 0;
  /** ρ_ub − match of the last trend + 1 steps (ring), started at 0. */
  private readonly shortfall: Float64Array;
  private shortfallNext = 0;
  /**
   * The anomalies' matches, for their mean: the sum of all but the last, and the last, which
   * keeps lowering to the smallest match of its masking window. Summed in order, like the
   * list the mean stands for, so that a mean of equal matches equals them exactly (matches of
   * quantised windows repeat exactly and are compared with ≥).
   */
  private anomalySum = 0;
  private anomalyCount = 0;
  private anomalyLast = 0;

  constructor(
    dim: number,
    capacity: number,
    private readonly window: number,
    private readonly trend: number,
    private readonly mask: number,
    evict = false,
  ) {
    this.art = new FuzzyArt(dim, capacity, evict);
    this.recent = new Float64Array((trend >> 1) + 1);
    this.shortfall = new Float64Array(trend + 1);
    this.reset();
  }

  setVigilance(lb: number, ub: number): void {
    this.art.rhoLb = lb;
    this.art.rhoUb = ub;
  }

  /** Step `i` with the features at `f[offset…]`; returns the anomaly score (0 for none). */
  step(f: ArrayLike<number>, i: number, offset = 0): number {
    const art = this.art;
    const mask = this.mask;
    const trend = this.trend;
    const since = i - this.lastAnomalyI;
    const rhoAfterAnomaly = since === mask;
    const rhoForTrend = i - this.lastRhoUpdateI >= trend >> 1;
    const maskAfterAnomaly = since <= mask;
    if (i > trend + mask && this.maskAfterNovelty && this.sinceNovelty >= mask) this.maskAfterNovelty = false;
    const cat = i < this.window ? (art.present(f, false, offset), -1) : art.present(f, true, offset);
    this.sinceNovelty = cat === -1 ? 0 : this.sinceNovelty + 1;
    const a = art.lastMatch;
    this.matchCount++;
    this.matchMean += (a - this.matchMean) / this.matchCount;
    this.recent[this.recentNext] = a;
    this.recentNext = (this.recentNext + 1) % this.recent.length;
    this.shortfall[this.shortfallNext] = art.rhoUb - a;
    this.shortfallNext = (this.shortfallNext + 1) % this.shortfall.length;
    if (since < mask && this.anomalyCount > 0 && a < this.anomalyLast) this.anomalyLast = a;
    const masking = this.maskAfterNovelty || maskAfterAnomaly;
    const belowLast = a < this.lastAnomalyMatch * (maskAfterAnomaly ? 0.9 : 0.7);
    let score = 0;
    if (i > trend && cat === -1 && (!masking || belowLast)) {
      score = this.confidence(a, art.lastEnergy);
      if (this.anomalyCount > 0) this.anomalySum += this.anomalyLast;
      this.anomalyCount++;
      this.anomalyLast = a;
      this.lastAnomalyMatch = a;
      this.lastAnomalyI = i;
    }
    if (cat === -1) this.maskAfterNovelty = true;
    if (i > trend && (rhoAfterAnomaly || rhoForTrend)) {
      this.adaptVigilance(i);
      this.lastRhoUpdateI = i;
      this.maskAfterNovelty = true;
    }
    return score;
  }

  private adaptVigilance(i: number): void {
    let minRecent = Infinity;
    for (let k = 0; k < this.recent.length; k++) if (this.recent[k]! < minRecent) minRecent = this.recent[k]!;
    const ub = Math.min(0.97, this.matchMean);
    const prevLb = this.art.rhoLb;
    let lb: number;
    if (prevLb <= minRecent) {
      lb = prevLb + (minRecent - prevLb) * 0.19;
    } else {
      let decr = 0;
      if (i > 2 * this.trend) {
        let s = 0;
        let n = 0;
        for (let k = 0; k < this.shortfall.length; k++) {
          const d = this.shortfall[k]!;
          if (d > 0.05) {
            s += d < 0.37 ? d : 0.37;
            n++;
          }
        }
        if (n > 0) decr = s / n;
      }
      if (decr < 0.01) decr = 0.01;
      lb = prevLb - decr / 2;
      if (this.anomalyCount > 0) lb = Math.max((this.anomalySum + this.anomalyLast) / this.anomalyCount, lb);
    }
    this.setVigilance(Math.min(ub, lb), ub);
  }

  private confidence(match: number, energy: number): number {
    const f = match < 0.999 ? match : 0.999;
    const ub = (this.art.rhoUb - f) / (1 - f);
    const lb = (this.art.rhoLb - f) / (1 - f);
    const s = Math.min(1, ub * 0.35 + lb * 0.65 + (1 - energy) * 1.5);
    return Math.round(s * 1e6) / 1e6;
  }

  reset(): void {
    this.art.clear();
    this.setVigilance(0, 0);
    this.lastAnomalyI = 0;
    this.lastAnomalyMatch = 0;
    this.lastRhoUpdateI = 0;
    this.maskAfterNovelty = false;
    this.sinceNovelty = 0;
    this.matchMean = 0;
    this.matchCount = 0;
    this.recent.fill(1);
    this.recentNext = 0;
    this.shortfall.fill(0);
    this.shortfallNext = 0;
    this.anomalySum = 0;
    this.anomalyCount = 0;
    this.anomalyLast = 0;
  }
}
