import type { StrategySpec } from '../plan.js';
import type { Strategy } from '../strategy.js';
import { ActuatedStrategy } from './actuated.js';
import { FixedStrategy } from './fixed.js';
import { MaxPressureStrategy } from './max-pressure.js';
import { SeedStrategy } from './seed.js';
import { WebsterStrategy } from './webster.js';

export { ActuatedStrategy, FixedStrategy, MaxPressureStrategy, SeedStrategy, WebsterStrategy };

/** A fresh strategy for a plan (strategies keep measurements, so one per engine). */
export function createStrategy(spec: StrategySpec): Strategy {
  switch (spec.type) {
    case 'fixed':
      return new FixedStrategy(spec);
    case 'seed':
      return new SeedStrategy(spec);
    case 'actuated':
      return new ActuatedStrategy();
    case 'max-pressure':
      return new MaxPressureStrategy(spec);
    case 'webster':
      return new WebsterStrategy(spec);
  }
}
