import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadCorpus } from '../../firmware/anomaly/nab/corpus.js';
import { PROFILES } from '../../firmware/anomaly/nab/profiles.js';
import { scoreCorpus } from '../../firmware/anomaly/nab/scorer.js';
import { createDetector, scoreSeries } from '../../firmware/anomaly/registry.js';

// CI clones the repo with shared/ beside it, as on the development machines.
const data = resolve(import.meta.dirname, '../../../shared/data/nab');

describe('NAB scorer on real NAB files', () => {
  it('finds the NAB data beside the repo', () => {
    assert.ok(existsSync(resolve(data, 'labels/combined_windows.json')), `NAB data missing at ${data}`);
  });

  const corpus = loadCorpus(data, ['art_daily_jumpsup', 'art_daily_no_noise', 'art_daily_flatmiddle']);

  it('loads the files with their windows', () => {
    assert.equal(corpus.length, 3);
    const jumps = corpus.find((f) => f.name === 'artificialWithAnomaly/art_daily_jumpsup.csv')!;
    assert.equal(jumps.tMs.length, 4032);
    assert.equal(jumps.windows.length, 1);
  });

  it('scores the labels themselves as a perfect detector and all-zero as the null one', () => {
    const perfect = corpus.map((f) => {
      const s = new Float64Array(f.tMs.length);
      for (const [start] of f.windows) s[f.tMs.indexOf(start)] = 1;
      return s;
    });
    const zero = corpus.map((f) => new Float64Array(f.tMs.length));
    for (const p of PROFILES) {
      assert.ok(Math.abs(scoreCorpus(corpus, perfect, p).normalised - 100) < 1e-9);
      assert.equal(scoreCorpus(corpus, zero, p).normalised, 0);
    }
  });

  it('the default detector finds the jump in art_daily_jumpsup and scores above the null detector', () => {
    const scores = corpus.map((f) => scoreSeries(createDetector(), f.tMs, f.series.values));
    const r = scoreCorpus(corpus, scores, PROFILES[0]!);
    assert.ok(r.normalised > 0, `standard ${r.normalised}`);
    const jumps = r.files.find((f) => f.name.endsWith('art_daily_jumpsup.csv'))!;
    assert.equal(jumps.tp, 1);
  });
});
