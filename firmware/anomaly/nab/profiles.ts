/**
 * NAB's application profiles (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection
 * Algorithms – the Numenta Anomaly Benchmark", and NAB's config/profiles.json): the weight of
 * a true positive, a false positive, a true negative and a false negative (a missed window).
 */
export interface CostProfile {
  readonly name: string;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

export const PROFILES: readonly CostProfile[] = [
  { name: 'standard', tp: 1, fp: 0.11, tn: 1, fn: 1 },
  { name: 'reward_low_FP_rate', tp: 1, fp: 0.22, tn: 1, fn: 1 },
  { name: 'reward_low_FN_rate', tp: 1, fp: 0.11, tn: 1, fn: 2 },
];

/** NAB: the first 15 % of a file is probation (the detector learns; nothing there is scored), at most 15 % of 5000 rows. */
export const PROBATION_PERCENT = 0.15;

export function probationLength(rows: number): number {
  return Math.min(Math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000);
}
