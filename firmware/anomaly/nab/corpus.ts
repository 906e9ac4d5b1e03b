import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSeriesCsv, parseTimestamp, type Series } from '../series-csv.js';
import type { LabelledSeries } from './scorer.js';

/** One NAB data file with its windows. */
export interface CorpusFile extends LabelledSeries {
  readonly series: Series;
}

/**
 * Loads NAB's data/<category>/<file>.csv and labels/combined_windows.json from `dir`
 * (a NAB checkout or the copy in shared/data/nab). `only` keeps files whose name contains
 * one of the given strings (for quick runs and tests).
 */
export function loadCorpus(dir: string, only: readonly string[] = []): CorpusFile[] {
  const windowsPath = join(dir, 'labels', 'combined_windows.json');
  const windows = JSON.parse(readFileSync(windowsPath, 'utf8')) as Record<string, [string, string][]>;
  const dataDir = join(dir, 'data');
  const files: CorpusFile[] = [];
  for (const cat of readdirSync(dataDir).sort()) {
    const catDir = join(dataDir, cat);
    if (!statSync(catDir).isDirectory()) continue;
    for (const f of readdirSync(catDir).sort()) {
      if (!f.endsWith('.csv')) continue;
      const name = `${cat}/${f}`;
      if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
      const labels = windows[name];
      if (!labels) throw new Error(`${windowsPath}: no windows for ${name}`);
      const series = parseSeriesCsv(readFileSync(join(catDir, f), 'utf8'));
      const w = labels.map(([s, e]) => {
        const start = parseTimestamp(s.trim());
        const end = parseTimestamp(e.trim());
        if (Number.isNaN(start) || Number.isNaN(end)) throw new Error(`${windowsPath}: ${name}: bad window [${s}, ${e}]`);
        return [start, end] as const;
      });
      files.push({ name, tMs: series.tMs, windows: w, series });
    }
  }
  return files;
}
