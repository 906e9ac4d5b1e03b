import { type EngineView, RingOrderStrategy } from '../strategy.js';

/**
 * Fully actuated (volume-density style): a green holds for an added initial long enough to
 * discharge the vehicles counted during red (startup + n × saturation headway), then extends
 * while detectors keep actuating within the passage time, and gaps out otherwise. Max green is
 * the engine's.
 */
export class ActuatedStrategy extends RingOrderStrategy {
  readonly type = 'actuated' as const;
  readonly endCode = 4 as const;
  private readonly countAtEnd = new Float64Array(9);
  private readonly initial = new Float64Array(9);

  constructor(
    private readonly headwayMs = 2000,
    private readonly startupMs = 2000,
  ) {
    super();
  }

  override onGreenStart(phase: number, view: EngineView): void {
    const waiting = view.arrivals(phase) - this.countAtEnd[phase]!;
    this.initial[phase] = waiting > 0 ? this.startupMs + waiting * this.headwayMs : 0;
  }

  override onGreenEnd(phase: number, view: EngineView): void {
    this.countAtEnd[phase] = view.arrivals(phase);
  }

  extend(phase: number, elapsedMs: number, view: EngineView, now: number): boolean {
    if (elapsedMs < this.initial[phase]!) return true;
    return view.occupied(phase) || now - view.lastOff(phase) < view.timing(phase).passageMs;
  }
}
