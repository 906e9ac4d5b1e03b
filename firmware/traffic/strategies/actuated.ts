import { type EngineView, RingOrderStrategy } from '../strategy.js';

/**
 * Fully actuated (volume-density style, for count/advance detectors): a green holds while the
 * queue estimated from detector counts is still discharging (each counted vehicle adds one, the
 * green removes one per saturation headway after the start-up time; what is left at the end of a
 * green carries over), then extends while actuations keep arriving within the passage time, and
 * gaps out otherwise. Max green is the engine's.
 */
export class ActuatedStrategy extends RingOrderStrategy {
  readonly type = 'actuated' as const;
  readonly endCode = 4 as const;
  private readonly q = new Float64Array(9);
  private readonly lastCount = new Float64Array(9);
  private lastT = -1;

  constructor(
    private readonly headwayMs = 2000,
    private readonly startupMs = 2000,
  ) {
    super();
  }

  /** Estimated queue of a phase (vehicles). */
  queue(phase: number): number {
    return this.q[phase]!;
  }

  override observe(view: EngineView, now: number): void {
    const dt = this.lastT < 0 ? 0 : now - this.lastT;
    this.lastT = now;
    for (const p of view.structure.phases) {
      const c = view.arrivals(p);
      let q = this.q[p]! + (c - this.lastCount[p]!);
      this.lastCount[p] = c;
      if (view.isGreen(p) && now - view.greenStart(p) >= this.startupMs) q -= dt / this.headwayMs;
      this.q[p] = q > 0 ? q : 0;
    }
  }

  extend(phase: number, _elapsedMs: number, view: EngineView, now: number): boolean {
    if (this.q[phase]! >= 0.5) return true;
    return view.occupied(phase) || now - view.lastOff(phase) < view.timing(phase).passageMs;
  }
}
