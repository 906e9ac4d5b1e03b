/**
 * `npx tsx firmware/anomaly/detectors/artime/nab-oracle.ts [--detector artime] [--param k=v]
 *  [--give rows,range] [--published DIR] [--files] [--data DIR]`
 *
 * The NAB run with what NAB hands ARTime and our streaming contract withholds: each file's
 * length (`rows`, for the probation period) and its whole-file min and max (`inputMin`,
 * `inputMax`). A look-ahead, for comparison only: `npm run nab` never does this.
 *
 * With `--published DIR` (NAB's results/ARTime directory, from a NAB checkout), it also
 * compares our scores row by row with the published ARTime scores and scores the published
 * ones with our scorer (a check of both the port and the scorer against NAB's 74.9).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDetector, detectorSpec, scoreSeries } from '../../registry.js';
import { loadCorpus } from '../../nab/corpus.js';
import { PROFILES } from '../../nab/profiles.js';
import { scoreCorpus } from '../../nab/scorer.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const { values: opts } = parseArgs({
  options: {
    detector: { type: 'string' },
    data: { type: 'string' },
    param: { type: 'string', multiple: true },
    published: { type: 'string' },
    files: { type: 'boolean' },
    give: { type: 'string' },
  },
});
/** What to hand over: `rows`, `range` or both (the default, as NAB does). */
const give = new Set((opts.give ?? 'rows,range').split(','));
const name = opts.detector ?? 'artime';
const params: Record<string, number> = {};
for (const p of opts.param ?? []) {
  const [k, v] = p.split('=');
  if (!k || v === undefined || !Number.isFinite(Number(v))) throw new Error(`--param ${p}: expected name=number`);
  params[k] = Number(v);
}
const defaults = detectorSpec(name).defaults;
for (const k of ['rows', 'inputMin', 'inputMax']) if (!(k in defaults)) throw new Error(`detector ${name} has no "${k}" parameter`);

const corpus = loadCorpus(opts.data ? resolve(opts.data) : resolve(repoRoot, '../shared/data/nab'));
const scores = corpus.map((f) => {
  const v = f.series.values;
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const oracle: Record<string, number> = {};
  if (give.has('rows')) oracle.rows = v.length;
  if (give.has('range')) Object.assign(oracle, { inputMin: lo, inputMax: hi });
  return scoreSeries(createDetector(name, { ...params, ...oracle }), f.tMs, v);
});

function report(label: string, s: readonly ArrayLike<number>[]): void {
  const r = PROFILES.map((p) => scoreCorpus(corpus, s, p));
  const [std, lfp, lfn] = r;
  console.log(
    `${label.padEnd(28)} standard ${std!.normalised.toFixed(1)}  low FP ${lfp!.normalised.toFixed(1)}  low FN ${lfn!.normalised.toFixed(1)}  threshold ${std!.threshold.toPrecision(6)}  TP/FP/FN ${std!.tp}/${std!.fp}/${std!.fn}`,
  );
  if (opts.files) for (const f of std!.files) console.log(`  ${f.name.padEnd(58)} ${f.score.toFixed(3).padStart(8)}  tp ${f.tp}/${f.windows} fp ${f.fp}`);
}

report(`${name}, given ${[...give].join('+')}`, scores);

if (opts.published) {
  const pub: Float64Array[] = [];
  let rows = 0;
  let differ = 0;
  let maxDiff = 0;
  for (const [fi, f] of corpus.entries()) {
    const path = join(opts.published, dirname(f.name), `ARTime_${basename(f.name)}`);
    if (!existsSync(path)) throw new Error(`${path}: no published ARTime result for ${f.name}`);
    const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
    const p = new Float64Array(lines.map((l) => Number(l.split(',')[2])));
    if (p.length !== f.tMs.length) throw new Error(`${path}: ${p.length} rows, the data has ${f.tMs.length}`);
    pub.push(p);
    let fileDiffer = 0;
    let first = -1;
    for (let i = 0; i < p.length; i++) {
      const d = Math.abs(p[i]! - scores[fi]![i]!);
      if (d > 1e-6) {
        fileDiffer++;
        if (first < 0) first = i;
      }
      if (d > maxDiff) maxDiff = d;
    }
    rows += p.length;
    differ += fileDiffer;
    if (opts.files && fileDiffer > 0) console.log(`  differs: ${f.name} ${fileDiffer} rows, first at row ${first} (ours ${scores[fi]![first]}, published ${p[first]})`);
  }
  console.log(`rows differing from the published ARTime scores by > 1e-6: ${differ} of ${rows} (max difference ${maxDiff.toPrecision(3)})`);
  report('published ARTime, our scorer', pub);
}
