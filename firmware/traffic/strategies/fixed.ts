import type { StrategySpec } from '../plan.js';
import { type EngineView, RingOrderStrategy } from '../strategy.js';

/** Fixed time: every phase in ring order for its split's green, whatever the detectors say. */
export class FixedStrategy extends RingOrderStrategy {
  readonly type = 'fixed' as const;
  readonly endCode = 6 as const;
  constructor(private readonly spec: Extract<StrategySpec, { type: 'fixed' }>) {
    super();
  }
  extend(phase: number, elapsedMs: number, view: EngineView): boolean {
    return elapsedMs < (this.spec.greenMs[phase] ?? view.timing(phase).minGreenMs);
  }
}
