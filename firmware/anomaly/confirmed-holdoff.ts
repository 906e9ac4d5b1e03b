/**
 * AlertHoldoff (alert-holdoff.ts) with a confirmation delay: an alert candidate (score less
 * the fatigue penalty ≥ `level`) is held for `delay` samples, and emitted (its own score, at
 * the end of the delay) only if the mean raw score over those samples is ≥ `confirm`: an
 * anomaly that persists, not a lone spike. A confirmed alert starts the holdoff (counted from
 * the candidate) and adds `fatigue`; a rejected one emits 0 and adds `rejectFatigue` (a
 * share of `fatigue`), and scoring resumes after the delay.
 *
 * Why: after an alert of the ensemble, the raw score of the next 5–10 samples is higher for
 * alerts that fall in a NAB window than for false ones (median ≈ 0.45 against ≈ 0.3).
 * NAB's reward falls only slowly inside a window, so a few samples of delay cost little.
 */
export class ConfirmedHoldoff {
  private left = 0;
  private penalty = 0;
  private pending = 0;
  private pendScore = 0;
  private sum = 0;
  private readonly decay: number;

  constructor(
    private readonly level: number,
    private readonly holdoff: number,
    private readonly fatigue: number,
    fatigueTau: number,
    private readonly delay: number,
    private readonly confirm: number,
    private readonly rejectFatigue = 0,
  ) {
    this.decay = Math.exp(-1 / Math.max(fatigueTau, 1e-9));
  }

  /** `score` is the (possibly post-processed) score, `raw` the raw score the confirmation averages. */
  apply(score: number, raw: number): number {
    this.penalty *= this.decay;
    if (this.left > 0) {
      this.left--;
      return 0;
    }
    if (this.pending > 0) {
      this.sum += raw;
      if (--this.pending > 0) return 0;
      if (this.sum / this.delay >= this.confirm) {
        this.left = this.holdoff > this.delay ? this.holdoff - this.delay : 0;
        this.penalty += this.fatigue;
        return this.pendScore;
      }
      this.penalty += this.rejectFatigue * this.fatigue;
      return 0;
    }
    const s = score - this.penalty;
    const out = s > 0 ? s : 0;
    if (out < this.level) return out;
    if (this.delay <= 0) {
      this.left = this.holdoff;
      this.penalty += this.fatigue;
      return out;
    }
    this.pending = this.delay;
    this.pendScore = out;
    this.sum = 0;
    return 0;
  }

  reset(): void {
    this.left = this.penalty = this.pending = this.pendScore = this.sum = 0;
  }
}
