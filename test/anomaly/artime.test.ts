import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ARTimeDetector, artimeSpec } from '../../firmware/anomaly/detectors/artime.js';
import { FuzzyArt } from '../../firmware/anomaly/detectors/artime/fuzzy-art.js';
import { WindowFeatures } from '../../firmware/anomaly/detectors/artime/window-features.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import { loadCorpus } from '../../firmware/anomaly/nab/corpus.js';
import { createDetector, scoreSeries } from '../../firmware/anomaly/registry.js';

const N = 3000;
const AT = 2000;

/** A noisy daily sine (288 samples a day), optionally with something injected from row AT. */
function series(inject: (x: Float64Array) => void = () => {}): { t: Float64Array; x: Float64Array } {
  const rng = new SeededRandom(11);
  const t = new Float64Array(N);
  const x = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    t[i] = i * 300_000;
    x[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + rng.normal();
  }
  inject(x);
  return { t, x };
}

const maxOf = (s: Float64Array, from: number, to: number) => s.subarray(from, to).reduce((m, v) => Math.max(m, v), 0);

for (const name of ['artime', 'artime-ensemble']) {
  describe(name, () => {
    // ARTime scores once per block (every `step` samples), so the injected event is looked for
    // from its row to a few blocks later; the baseline is every score after the learning period.
    const lag = 4 * new ARTimeDetector(artimeSpec.defaults).step;
    const learned = 800;

    it('scores an injected spike higher than any score of the ordinary samples before it', () => {
      const { t, x } = series((v) => (v[AT] = v[AT]! + 40));
      const s = scoreSeries(createDetector(name), t, x);
      const spike = maxOf(s, AT, AT + lag);
      const before = maxOf(s, learned, AT);
      assert.ok(spike > before, `spike ${spike} vs ordinary ${before}`);
      assert.ok(spike >= 0.5, `spike ${spike}`);
    });

    it('scores an injected level shift higher than the ordinary samples before it', () => {
      const { t, x } = series((v) => {
        for (let i = AT; i < N; i++) v[i] = v[i]! + 30;
      });
      const s = scoreSeries(createDetector(name), t, x);
      const shift = maxOf(s, AT, AT + lag);
      const before = maxOf(s, learned, AT);
      assert.ok(shift > before, `shift ${shift} vs ordinary ${before}`);
    });

    it('does not look ahead: the scores of a prefix do not change when more data follows', () => {
      const { t, x } = series((v) => (v[AT] = v[AT]! + 40));
      const full = scoreSeries(createDetector(name), t, x);
      for (const cut of [300, 749, 750, AT - 1, AT + 3]) {
        const prefix = scoreSeries(createDetector(name), t.subarray(0, cut), x.subarray(0, cut));
        assert.deepEqual([...prefix], [...full.subarray(0, cut)], `prefix of ${cut}`);
      }
    });

    it('is deterministic, and reset() returns to the start state', () => {
      const { t, x } = series((v) => (v[AT] = v[AT]! + 40));
      const d = createDetector(name);
      const a = scoreSeries(d, t, x);
      d.reset();
      const b = scoreSeries(d, t, x);
      assert.deepEqual([...b], [...a]);
      assert.deepEqual([...scoreSeries(createDetector(name), t, x)], [...a]);
      assert.ok(a.some((v) => v > 0), 'the run scored something, so the comparison means something');
    });

    it('scores NaN and ±Infinity 0 and carries on as if they had not been given', () => {
      const { t, x } = series((v) => (v[AT] = v[AT]! + 40));
      const clean = scoreSeries(createDetector(name), t, x);
      const d = createDetector(name);
      const got: number[] = [];
      for (let i = 0; i < N; i++) {
        // inside the learning period, at its end, and just before the spike
        if (i === 100 || i === 749 || i === AT - 1) {
          assert.equal(d.update(t[i]!, Number.NaN), 0);
          assert.equal(d.update(t[i]!, Number.NEGATIVE_INFINITY), 0);
        }
        got.push(d.update(t[i]!, x[i]!));
      }
      assert.deepEqual(got, [...clean]);
    });
  });
}

describe('ARTime parts', () => {
  it('the Haar shape: coarsest approximation first, details as (second − first)/√2', () => {
    const f = new WindowFeatures(8);
    for (const v of [0, 0, 0, 0, 1, 1, 1, 1]) f.push(v);
    // a step up: approximation 2/√2·…, one coarse detail, the rest 0; after min–max scaling the
    // coarse detail (second half − first half > 0) is the largest coefficient
    const shape = [...f.vector.subarray(0, 8)].map((v) => Number(v.toFixed(9)));
    assert.deepEqual(shape, [1, 1, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...f.vector.subarray(8)], [0, 0, 0, 0, 1, 1, 1, 1]);
    const down = new WindowFeatures(8);
    for (const v of [1, 1, 1, 1, 0, 0, 0, 0]) down.push(v);
    // the mirror image has a negative coarse detail: the smallest coefficient after scaling
    assert.deepEqual([...down.vector.subarray(0, 8)].map((v) => Number(v.toFixed(9))), [1, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('fuzzy ART: a repeated input resonates, a distant one is a novelty', () => {
    const art = new FuzzyArt(2, 8);
    art.rhoLb = 0.8;
    art.rhoUb = 0.9;
    art.present([0.5, 0.5], true); // founds the uncommitted all-ones node
    assert.equal(art.present([0.2, 0.3], true), -1);
    assert.equal(art.categories, 2);
    assert.equal(art.present([0.2, 0.3], true), 1);
    assert.equal(art.lastMatch, 1);
    assert.equal(art.categories, 2);
    assert.equal(art.present([0.9, 0.95], true), -1);
    assert.ok(art.lastMatch < 0.8);
    assert.equal(art.categories, 3);
  });

  it('fuzzy ART: a full network still reports novelties but stores nothing more', () => {
    const art = new FuzzyArt(1, 2);
    art.rhoLb = art.rhoUb = 0.99;
    art.present([0], true);
    art.present([0.1], true);
    assert.equal(art.categories, 2);
    assert.equal(art.present([0.9], true), -1);
    assert.equal(art.categories, 2);
  });
});

// CI clones the repo with shared/ beside it, as on the development machines.
const nab = resolve(import.meta.dirname, '../../../shared/data/nab');

describe('ARTime given what NAB gives it (file length, whole-file min and max)', () => {
  it('finds the NAB data beside the repo', () => {
    assert.ok(existsSync(resolve(nab, 'labels/combined_windows.json')), `NAB data missing at ${nab}`);
  });

  // Every non-zero score of the published ARTime run (NAB results/ARTime/…), row: score.
  const published: Record<string, [number, number][]> = {
    'realKnownCause/nyc_taxi.csv': [
      [2981, 0.381743], [3170, 0.305711], [3261, 0.364557], [3583, 0.279818], [3975, 0.388543], [5914, 0.461904],
      [5956, 1.0], [7202, 0.3882], [8518, 0.703124], [8882, 0.563786], [10065, 0.507194], [10100, 0.531458],
    ],
    'realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv': [[1099, 0.923738], [3539, 0.895647], [3549, 1.0], [3779, 0.688153]],
  };

  for (const f of loadCorpus(nab, Object.keys(published))) {
    it(`reproduces the published scores of ${f.name} row for row`, () => {
      const v = f.series.values;
      const params = { rows: v.length, inputMin: Math.min(...v), inputMax: Math.max(...v) };
      const s = scoreSeries(createDetector('artime', params), f.tMs, v);
      const got = [...s].flatMap((x, i) => (x > 0 ? [[i, x] as [number, number]] : []));
      const want = published[f.name]!;
      assert.deepEqual(got.map(([i]) => i), want.map(([i]) => i));
      for (const [k, [, x]] of got.entries()) assert.ok(Math.abs(x - want[k]![1]) < 1e-6, `row ${want[k]![0]}: ${x} vs ${want[k]![1]}`);
    });
  }
});
