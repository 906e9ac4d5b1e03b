/**
 * A timing plan: per-phase intervals (integer ms) and the strategy that chooses service
 * within them. The engine holds every limit here; a strategy can only ask to end a green
 * early (never before min green) or keep it (never past max green when another phase waits).
 */
export type Recall = 'none' | 'min' | 'max' | 'ped';
export const RECALLS: readonly Recall[] = ['none', 'min', 'max', 'ped'];

export interface PhaseTiming {
  readonly minGreenMs: number;
  /** Passage (gap / extension): a phase gaps out when no actuation for this long after min green. */
  readonly passageMs: number;
  readonly maxGreenMs: number;
  readonly yellowMs: number;
  readonly redClearMs: number;
  readonly recall: Recall;
  /** Pedestrian walk; 0 = the phase has no pedestrian movement. */
  readonly walkMs: number;
  /** Flashing don't-walk (pedestrian clearance). */
  readonly pedClearMs: number;
}

export type StrategySpec =
  | { readonly type: 'fixed'; readonly cycleMs: number; readonly greenMs: Readonly<Record<number, number>> }
  | { readonly type: 'seed'; readonly readingMs: number; readonly minMs: number; readonly maxMs: number }
  | { readonly type: 'actuated' }
  | { readonly type: 'max-pressure'; readonly saturationVph: number; readonly decisionMs: number }
  | { readonly type: 'webster'; readonly everyCycles: number; readonly saturationVph: number; readonly minCycleMs: number; readonly maxCycleMs: number };

export type StrategyType = StrategySpec['type'];
export const STRATEGY_TYPES: readonly StrategyType[] = ['fixed', 'seed', 'actuated', 'max-pressure', 'webster'];

export interface Plan {
  /** Pattern number (ATSPM event 131). */
  readonly pattern: number;
  /** timing[p] for every phase in use (index 0 unused). */
  readonly timing: readonly (PhaseTiming | undefined)[];
  readonly strategy: StrategySpec;
}

/** Defaults for a typical urban approach (ITE yellow ≈ 3-4 s, red clearance ≈ 1-2 s). */
export const DEFAULT_TIMING: PhaseTiming = {
  minGreenMs: 5000,
  passageMs: 3000,
  maxGreenMs: 40000,
  yellowMs: 3500,
  redClearMs: 1500,
  recall: 'none',
  walkMs: 0,
  pedClearMs: 0,
};

/** Hard floors the engine enforces whatever a plan says (NEMA: yellow ≥ 3 s in practice, MMU trips < 2.7 s). */
export const FLOOR = { minGreenMs: 1000, yellowMs: 3000, redClearMs: 0, passageMs: 0 } as const;

/** Checks a timing; returns the first problem as `field: message`, or null. */
export function timingProblem(t: PhaseTiming): string | null {
  const ints: (keyof PhaseTiming)[] = ['minGreenMs', 'passageMs', 'maxGreenMs', 'yellowMs', 'redClearMs', 'walkMs', 'pedClearMs'];
  for (const k of ints) {
    const v = t[k] as number;
    if (!Number.isInteger(v) || v < 0) return `${k}: must be a whole number of ms >= 0, got ${v}`;
  }
  if (t.minGreenMs < FLOOR.minGreenMs) return `minGreenMs: must be >= ${FLOOR.minGreenMs}, got ${t.minGreenMs}`;
  if (t.yellowMs < FLOOR.yellowMs) return `yellowMs: must be >= ${FLOOR.yellowMs}, got ${t.yellowMs}`;
  if (t.maxGreenMs < t.minGreenMs) return `maxGreenMs: ${t.maxGreenMs} is below minGreenMs ${t.minGreenMs}`;
  if (!RECALLS.includes(t.recall)) return `recall: must be one of ${RECALLS.join(', ')}`;
  if (t.recall === 'ped' && t.walkMs === 0) return 'recall: ped recall needs walkMs > 0';
  return null;
}
