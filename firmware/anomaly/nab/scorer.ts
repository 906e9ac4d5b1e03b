import { type CostProfile, probationLength } from './profiles.js';

/**
 * NAB's scoring, written from its documented rules (the NAB paper and NAB's sweeper):
 *
 * - Each labelled window is worth A_TP if detected at its first row, less the later it is
 *   detected (the scaled sigmoid of the relative position), and −A_FN if never detected.
 *   Only the best detection in a window counts.
 * - A detection outside every window costs A_FP times the scaled sigmoid of its distance past
 *   the previous window's end (in window widths): nearly free just after a window, a full
 *   −A_FP far from it or before the first window.
 * - Rows in the probationary period (first 15 %, at most 750 rows) count for nothing.
 * - The threshold on the anomaly score is one for the whole corpus, chosen to maximise the
 *   total; a row is a detection when its score ≥ the threshold.
 * - The total is normalised so that the null detector (never detects) scores 0 and the perfect
 *   detector (every window at its first row, nothing else) scores 100.
 */

/** One NAB file with its labels, timestamps in ms. */
export interface LabelledSeries {
  readonly name: string;
  readonly tMs: Float64Array;
  /** [startMs, endMs] inclusive, sorted, non-overlapping. */
  readonly windows: readonly (readonly [number, number])[];
}

/** Where each row falls and what detecting it would earn under one profile. */
export interface SweptSeries {
  readonly name: string;
  /** Window index for a row inside window k (after probation), −1 outside every window, −2 in probation. */
  readonly windowOf: Int32Array;
  /** The row's reward if detected: > 0 in a window (TP), ≤ 0 outside (FP). */
  readonly reward: Float64Array;
  /** Windows that have at least one scored row (a window inside probation is not counted). */
  readonly scoredWindows: number;
}

export const PROBATION_ROW = -2;
export const OUTSIDE_ROW = -1;

export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** Row span [first row with t ≥ start, last row with t ≤ end]; a linear scan because a few NAB files have rows out of time order. */
function rowSpan(tMs: Float64Array, start: number, end: number): [number, number] {
  let first = 0;
  while (first < tMs.length && tMs[first]! < start) first++;
  let last = tMs.length - 1;
  while (last >= first && tMs[last]! > end) last--;
  return [first, last];
}

export function sweep(series: LabelledSeries, profile: CostProfile): SweptSeries {
  const n = series.tMs.length;
  const windowOf = new Int32Array(n).fill(OUTSIDE_ROW);
  const reward = new Float64Array(n);
  const probation = probationLength(n);
  // Window k covers rows [start, end]; rows are assigned by timestamp.
  const spans: [number, number][] = [];
  for (const [s, e] of series.windows) {
    const [start, end] = rowSpan(series.tMs, s, e);
    if (end >= start) spans.push([start, end]);
  }
  const scored = new Set<number>();
  let k = 0;
  let prevEnd = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    while (k < spans.length && i > spans[k]![1]) {
      prevEnd = spans[k]![1];
      prevWidth = spans[k]![1] - spans[k]![0] + 1;
      k++;
    }
    const span = spans[k];
    if (span && i >= span[0]) {
      const width = span[1] - span[0] + 1;
      const position = -(span[1] - i + 1) / width;
      reward[i] = (scaledSigmoid(position) * profile.tp) / MAX_TP;
      windowOf[i] = k;
    } else {
      const unweighted = prevEnd < 0 ? -1 : scaledSigmoid(Math.abs(prevEnd - i) / Math.max(prevWidth - 1, 1));
      reward[i] = unweighted * profile.fp;
      windowOf[i] = OUTSIDE_ROW;
    }
    if (i < probation) windowOf[i] = PROBATION_ROW;
    else if (windowOf[i]! >= 0) scored.add(windowOf[i]!);
  }
  // Renumber so that window ids are 0..scoredWindows−1 without gaps (probation-only windows dropped).
  const ids = [...scored].sort((a, b) => a - b);
  const remap = new Map(ids.map((w, j) => [w, j]));
  for (let i = 0; i < n; i++) if (windowOf[i]! >= 0) windowOf[i] = remap.get(windowOf[i]!)!;
  return { name: series.name, windowOf, reward, scoredWindows: ids.length };
}

export interface FileScore {
  readonly name: string;
  readonly score: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly windows: number;
}

/** The raw score of one file at a threshold. */
export function scoreAtThreshold(swept: SweptSeries, scores: ArrayLike<number>, threshold: number, profile: CostProfile): FileScore {
  const best = new Float64Array(swept.scoredWindows).fill(-profile.fn);
  const hit = new Uint8Array(swept.scoredWindows);
  let fpSum = 0;
  let fp = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!(scores[i]! >= threshold)) continue;
    const w = swept.windowOf[i]!;
    if (w === PROBATION_ROW) continue;
    if (w === OUTSIDE_ROW) {
      fpSum += swept.reward[i]!;
      fp++;
    } else {
      hit[w] = 1;
      if (swept.reward[i]! > best[w]!) best[w] = swept.reward[i]!;
    }
  }
  let total = fpSum;
  let tp = 0;
  for (let w = 0; w < best.length; w++) {
    total += best[w]!;
    tp += hit[w]!;
  }
  return { name: swept.name, score: total, tp, fp, fn: swept.scoredWindows - tp, windows: swept.scoredWindows };
}

/**
 * The corpus threshold that maximises the summed raw score, by a sweep over every distinct
 * score from high to low (NAB's calcScoreByThreshold over all files' rows at once). Ties in
 * the total keep the highest threshold.
 */
export function optimiseThreshold(swept: readonly SweptSeries[], scores: readonly ArrayLike<number>[], profile: CostProfile): { threshold: number; score: number } {
  let rows = 0;
  let windows = 0;
  for (const s of swept) {
    rows += s.windowOf.length;
    windows += s.scoredWindows;
  }
  const score = new Float64Array(rows);
  const reward = new Float64Array(rows);
  const windowId = new Int32Array(rows);
  let r = 0;
  let base = 0;
  for (let f = 0; f < swept.length; f++) {
    const s = swept[f]!;
    const sc = scores[f]!;
    if (sc.length !== s.windowOf.length) throw new RangeError(`${s.name}: ${sc.length} scores for ${s.windowOf.length} rows`);
    for (let i = 0; i < sc.length; i++, r++) {
      score[r] = sc[i]!;
      reward[r] = s.reward[i]!;
      const w = s.windowOf[i]!;
      windowId[r] = w >= 0 ? base + w : w;
    }
    base += s.scoredWindows;
  }
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  const best = new Float64Array(windows).fill(-profile.fn);
  let total = -profile.fn * windows;
  let bestTotal = total;
  let bestThreshold = Number.POSITIVE_INFINITY;
  for (let j = 0; j < rows; ) {
    const t = score[order[j]!]!;
    // Take every row at this score, then record: threshold t detects all rows with score ≥ t.
    while (j < rows && score[order[j]!]! === t) {
      const i = order[j]!;
      const w = windowId[i]!;
      if (w === OUTSIDE_ROW) total += reward[i]!;
      else if (w >= 0 && reward[i]! > best[w]!) {
        total += reward[i]! - best[w]!;
        best[w] = reward[i]!;
      }
      j++;
    }
    if (total > bestTotal + 1e-12) {
      bestTotal = total;
      bestThreshold = t;
    }
  }
  return { threshold: bestThreshold, score: bestTotal };
}

export interface CorpusScore {
  readonly profile: string;
  readonly threshold: number;
  readonly raw: number;
  readonly normalised: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly files: readonly FileScore[];
}

/** Optimises the threshold for the profile, scores each file and normalises the total. */
export function scoreCorpus(series: readonly LabelledSeries[], scores: readonly ArrayLike<number>[], profile: CostProfile): CorpusScore {
  const swept = series.map((s) => sweep(s, profile));
  const { threshold } = optimiseThreshold(swept, scores, profile);
  const files = swept.map((s, f) => scoreAtThreshold(s, scores[f]!, threshold, profile));
  let raw = 0;
  let windows = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const f of files) {
    raw += f.score;
    windows += f.windows;
    tp += f.tp;
    fp += f.fp;
    fn += f.fn;
  }
  const nullScore = -profile.fn * windows;
  const perfectScore = profile.tp * windows;
  const normalised = windows === 0 ? 0 : (100 * (raw - nullScore)) / (perfectScore - nullScore);
  return { profile: profile.name, threshold, raw, normalised, tp, fp, fn, files };
}
