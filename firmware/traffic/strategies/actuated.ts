import { type EngineView, RingOrderStrategy } from '../strategy.js';
import { QueueEstimate } from './queue-estimate.js';

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
  private readonly queues: QueueEstimate;

  constructor(headwayMs = 2000, startupMs = 2000) {
    super();
    this.queues = new QueueEstimate((dt) => dt / headwayMs, startupMs);
  }

  /** Estimated queue of a phase (vehicles). */
  queue(phase: number): number {
    return this.queues.q[phase]!;
  }

  override observe(view: EngineView, now: number): void {
    this.queues.observe(view, now);
  }

  extend(phase: number, _elapsedMs: number, view: EngineView, now: number): boolean {
    if (this.queues.q[phase]! >= 0.5) return true;
    return view.occupied(phase) || now - view.lastOff(phase) < view.timing(phase).passageMs;
  }
}
