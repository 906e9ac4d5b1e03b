/**
 * `npm run nab [-- --detector NAME[,NAME…]] [--data DIR] [--only TEXT] [--param k=v] [--json FILE]`
 *
 * Scores every NAB file with each named detector (the default detector when none is named),
 * optimises one threshold per detector and profile over the whole corpus, and prints the
 * normalised standard, reward_low_FP_rate and reward_low_FN_rate scores.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_DETECTOR, createDetector, detectorNames, scoreSeries } from '../registry.js';
import { loadCorpus } from './corpus.js';
import { PROFILES } from './profiles.js';
import { scoreCorpus, type CorpusScore } from './scorer.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const { values: opts } = parseArgs({
  options: {
    detector: { type: 'string', multiple: true },
    data: { type: 'string' },
    only: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    json: { type: 'string' },
    files: { type: 'boolean' },
  },
});

const dataDir = opts.data ? resolve(opts.data) : resolve(repoRoot, '../shared/data/nab');
const names = (opts.detector ?? [DEFAULT_DETECTOR]).flatMap((d) => d.split(',')).map((d) => (d === 'all' ? detectorNames() : [d])).flat();
const params: Record<string, number> = {};
for (const p of opts.param ?? []) {
  const [k, v] = p.split('=');
  if (!k || v === undefined || !Number.isFinite(Number(v))) throw new Error(`--param ${p}: expected name=number`);
  params[k] = Number(v);
}

const t0 = performance.now();
const corpus = loadCorpus(dataDir, opts.only ?? []);
const windows = corpus.reduce((n, f) => n + f.windows.length, 0);
console.log(`NAB corpus ${dataDir}: ${corpus.length} files, ${corpus.reduce((n, f) => n + f.tMs.length, 0)} rows, ${windows} windows`);

const results: { detector: string; seconds: number; scores: CorpusScore[] }[] = [];
for (const name of names) {
  const t1 = performance.now();
  const scores = corpus.map((f) => scoreSeries(createDetector(name, names.length === 1 ? params : {}), f.tMs, f.series.values));
  const seconds = (performance.now() - t1) / 1000;
  const byProfile = PROFILES.map((p) => scoreCorpus(corpus, scores, p));
  results.push({ detector: name, seconds, scores: byProfile });
  if (opts.files) {
    const std = byProfile[0]!;
    for (const f of std.files) console.log(`  ${f.name.padEnd(58)} ${f.score.toFixed(3).padStart(8)}  tp ${f.tp}/${f.windows} fp ${f.fp}`);
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`\n${pad('detector', 16)} ${'standard'.padStart(9)} ${'low FP'.padStart(9)} ${'low FN'.padStart(9)}   threshold(std)  TP/FP/FN(std)   seconds`);
for (const r of results) {
  const [s, lfp, lfn] = r.scores;
  console.log(
    `${pad(r.detector, 16)} ${s!.normalised.toFixed(1).padStart(9)} ${lfp!.normalised.toFixed(1).padStart(9)} ${lfn!.normalised.toFixed(1).padStart(9)}   ${s!.threshold.toPrecision(6).padStart(14)}  ${`${s!.tp}/${s!.fp}/${s!.fn}`.padStart(13)}   ${r.seconds.toFixed(1).padStart(7)}`,
  );
}
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (opts.json) {
  writeFileSync(
    opts.json,
    JSON.stringify(
      results.map((r) => ({ detector: r.detector, seconds: r.seconds, profiles: r.scores.map(({ files: _f, ...rest }) => rest) })),
      null,
      2,
    ),
  );
}
