/**
 * `npx tsx firmware/anomaly/detectors/cad-ose/nab-setup.ts [--data DIR] [--param k=v] [--files]`
 *
 * Scores `cad-ose` on the NAB corpus the way NAB runs CAD OSE, look-ahead included, for
 * comparison with the published 69.9 only: each file's detector gets the file's own minimum
 * and maximum (`rangeMode` 1) and a rest period of a fifth of the file's probation
 * (NAB's `probationaryPeriod / 5`). The streaming detector (`npm run nab -- --detector
 * cad-ose`) knows neither. Same scorer and profiles as `npm run nab`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../../nab/corpus.js';
import { PROFILES, probationLength } from '../../nab/profiles.js';
import { scoreCorpus } from '../../nab/scorer.js';
import { createDetector, scoreSeries } from '../../registry.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const { values: opts } = parseArgs({
  options: { data: { type: 'string' }, param: { type: 'string', multiple: true }, files: { type: 'boolean' } },
});
const params: Record<string, number> = {};
for (const p of opts.param ?? []) {
  const [k, v] = p.split('=');
  if (!k || v === undefined || !Number.isFinite(Number(v))) throw new Error(`--param ${p}: expected name=number`);
  params[k] = Number(v);
}

const corpus = loadCorpus(opts.data ? resolve(opts.data) : resolve(repoRoot, '../shared/data/nab'));
const t0 = performance.now();
const scores = corpus.map((f) => {
  const x = f.series.values;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const d = createDetector('cad-ose', { rangeMode: 1, inputMin: lo, inputMax: hi, restPeriod: probationLength(x.length) / 5, ...params });
  return scoreSeries(d, f.tMs, x);
});
const byProfile = PROFILES.map((p) => scoreCorpus(corpus, scores, p));
if (opts.files) {
  for (const f of byProfile[0]!.files) console.log(`  ${f.name.padEnd(58)} ${f.score.toFixed(3).padStart(8)}  tp ${f.tp}/${f.windows} fp ${f.fp}`);
}
const [s, lfp, lfn] = byProfile;
console.log(`cad-ose, NAB's setup (whole-file min/max, rest = probation/5)`);
console.log(`standard ${s!.normalised.toFixed(1)}  low FP ${lfp!.normalised.toFixed(1)}  low FN ${lfn!.normalised.toFixed(1)}  threshold(std) ${s!.threshold.toPrecision(6)}  TP/FP/FN ${s!.tp}/${s!.fp}/${s!.fn}  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
