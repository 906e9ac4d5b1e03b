/**
 * The flow forecaster's input row for "predict interval t+1 from what is known at the end of
 * interval t": the last `lags` counts of every approach, then sin and cos of the time of day at
 * the middle of interval t+1, then a weekend flag for it.
 *   x = [c(t,0..A−1), c(t−1,0..A−1), …, c(t−lags+1,…), sin, cos, weekend]
 * The adaptive strategy builds the same row from its detector counts (`featureRow`).
 */

/** A series of per-interval counts: simulated, or read from a counts CSV. */
export interface CountSeries {
  /** counts[t * approaches + a] */
  counts: Float64Array;
  intervals: number;
  approaches: number;
  intervalMinutes: number;
  /** Weekday of the day row 0 falls on, 0 = Monday. */
  startWeekday: number;
  /** Interval-of-day of row 0 (0 = the interval starting at midnight). */
  startInterval?: number;
}

export function featureNames(approaches: number, lags: number): string[] {
  const names: string[] = [];
  for (let k = 0; k < lags; k++) for (let a = 0; a < approaches; a++) names.push(`a${a}_lag${k}`);
  names.push('tod_sin', 'tod_cos', 'weekend');
  return names;
}

export function featureCount(approaches: number, lags: number): number {
  return approaches * lags + 3;
}

/**
 * Writes one feature row into `out` at `offset`. `recent(k, a)` is the count of approach a, k
 * intervals back from the newest (k = 0); `nextMinuteOfDay` is the middle of the predicted interval.
 */
export function featureRow(
  recent: (k: number, a: number) => number,
  approaches: number,
  lags: number,
  nextMinuteOfDay: number,
  nextIsWeekend: boolean,
  out: Float32Array | Float64Array,
  offset = 0,
): void {
  let i = offset;
  for (let k = 0; k < lags; k++) for (let a = 0; a < approaches; a++) out[i++] = recent(k, a);
  const angle = (2 * Math.PI * nextMinuteOfDay) / 1440;
  out[i++] = Math.sin(angle);
  out[i++] = Math.cos(angle);
  out[i++] = nextIsWeekend ? 1 : 0;
}

export interface Dataset {
  X: Float64Array;
  Y: Float64Array;
  rows: number;
  nIn: number;
  nOut: number;
}

/** Supervised pairs from a count series, for targets t+1 in [fromInterval, toInterval). */
export function buildDataset(sim: CountSeries, lags: number, fromInterval: number, toInterval: number): Dataset {
  const A = sim.approaches;
  const nIn = featureCount(A, lags);
  const perDay = Math.round(1440 / sim.intervalMinutes);
  const first = Math.max(fromInterval, lags);
  const rows = Math.max(0, toInterval - first);
  const X = new Float64Array(rows * nIn);
  const Y = new Float64Array(rows * A);
  for (let r = 0; r < rows; r++) {
    const target = first + r;
    const t = target - 1;
    const abs = (sim.startInterval ?? 0) + target;
    const day = Math.floor(abs / perDay);
    const weekend = (sim.startWeekday + day) % 7 >= 5;
    const minute = ((abs % perDay) + 0.5) * sim.intervalMinutes;
    featureRow((k, a) => sim.counts[(t - k) * A + a]!, A, lags, minute, weekend, X, r * nIn);
    for (let a = 0; a < A; a++) Y[r * A + a] = sim.counts[target * A + a]!;
  }
  return { X, Y, rows, nIn, nOut: A };
}
