/**
 * After a score reaches `level`, the next `holdoff` samples are damped (multiplied by
 * `damp`). One anomaly tends to raise many consecutive high scores; an operator (and NAB)
 * wants one alert per event, and the repeats after the event are what costs false positives.
 * This is the refractory period KNN-CAD and ARTime use, made explicit and shared.
 */
export class AlertHoldoff {
  private left = 0;

  constructor(
    private readonly level: number,
    private readonly holdoff: number,
    private readonly damp: number,
  ) {}

  apply(score: number): number {
    if (this.left > 0) {
      this.left--;
      return score * this.damp;
    }
    if (score >= this.level) this.left = this.holdoff;
    return score;
  }

  reset(): void {
    this.left = 0;
  }
}
