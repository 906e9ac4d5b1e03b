/**
 * Turns a raw score stream into alert-shaped scores, in two ways that both aim at "one alert
 * per event" without knowing the stream in advance:
 *
 * - holdoff: after a score reaches `level`, the next `holdoff` samples are damped
 *   (multiplied by `damp`). One anomaly tends to raise many consecutive high scores; the
 *   repeats after the event are what costs false positives (KNN-CAD and ARTime do the same).
 * - fatigue: every alert adds `fatigue` to a penalty that decays with time constant
 *   `fatigueTau` samples, and the penalty is subtracted from later scores. A stream that
 *   alerts often (bursty tweet counts) must then go further to alert again, while the first
 *   alert of a quiet stream is untouched: a per-stream bar that no global threshold can set.
 */
export class AlertHoldoff {
  private left = 0;
  private penalty = 0;
  private readonly decay: number;

  constructor(
    private readonly level: number,
    private readonly holdoff: number,
    private readonly damp: number,
    private readonly fatigue = 0,
    fatigueTau = 1,
  ) {
    this.decay = Math.exp(-1 / Math.max(fatigueTau, 1e-9));
  }

  apply(score: number): number {
    return this.applyOr(score, 0);
  }

  /**
   * As `apply`, but the result is at least `unfatigued` (a second score the fatigue penalty
   * does not lower; the holdoff still silences it and its alerts still add fatigue).
   */
  applyOr(score: number, unfatigued: number): number {
    this.penalty *= this.decay;
    if (this.left > 0) {
      this.left--;
      return (score > unfatigued ? score : unfatigued) * this.damp;
    }
    const s = score - this.penalty;
    const out = s > unfatigued ? s : unfatigued > 0 ? unfatigued : 0;
    if (out >= this.level) {
      this.left = this.holdoff;
      this.penalty += this.fatigue;
    }
    return out;
  }

  reset(): void {
    this.left = 0;
    this.penalty = 0;
  }
}
