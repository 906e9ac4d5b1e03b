import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ARTimeDetector, artimeSpec } from '../../firmware/anomaly/detectors/artime.js';
import { FuzzyArt } from '../../firmware/anomaly/detectors/artime/fuzzy-art.js';
import { VigilanceEstimate } from '../../firmware/anomaly/detectors/artime/initial-vigilance.js';
import { WindowFeatures } from '../../firmware/anomaly/detectors/artime/window-features.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import { loadCorpus } from '../../firmware/anomaly/nab/corpus.js';
import { createDetector, scoreSeries } from '../../firmware/anomaly/registry.js';
import { AT, dailySeries, maxOf, N } from './fixtures/daily-series.js';

const series = (inject?: (x: Float64Array) => void) => dailySeries(11, inject);

for (const name of ['artime', 'artime-ensemble', 'artime-bag', 'artime-bag-ensemble']) {
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
      // 250–420: the bag's members end their learning periods there and spread the work after it
      for (const cut of [251, 300, 420, 749, 750, AT - 1, AT + 3]) {
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
        // inside the learning period, at its end, while its work is spread, and just before the spike
        if (i === 100 || i === 249 || i === 260 || i === 749 || i === AT - 1) {
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

describe('ARTime in bounded time and memory', () => {
  const base = { ...artimeSpec.defaults, probation: 250, marginLow: 0 };

  it('spreading the end-of-learning work gives the same scores, later, with a bounded amount of work per sample', () => {
    const { t, x } = series((v) => {
      v[AT] = v[AT]! + 40;
      v[AT + 400] = v[AT + 400]! - 40;
    });
    const batch = scoreSeries(createDetector('artime', base), t, x);
    const budget = 4000;
    const spread = createDetector('artime', { ...base, budget }) as ARTimeDetector;
    // a unit that starts under the budget may finish over it by one unit (at most a presentation
    // to the learning period's trend + 1 categories), then up to two live blocks are presented
    const presentation = (spread.trend + 2) * 2 * 16;
    const got = new Float64Array(N);
    let catchUp = 0;
    let most = 0;
    for (let i = 0; i < N; i++) {
      got[i] = spread.update(t[i]!, x[i]!);
      if (spread.catchingUp) catchUp++;
      most = Math.max(most, spread.lastWork);
    }
    assert.ok(most <= budget + 3 * presentation, `at most ${most} values touched in one sample`);
    const batch1 = createDetector('artime', base) as ARTimeDetector;
    let batchMost = 0;
    for (let i = 0; i < N; i++) {
      batch1.update(t[i]!, x[i]!);
      batchMost = Math.max(batchMost, batch1.lastWork);
    }
    assert.ok(batchMost > 20 * most, `the batch touches ${batchMost} values in one sample, the spread work at most ${most}`);
    assert.ok(catchUp > 10, `the work took ${catchUp} samples: it was spread`);
    // same non-zero scores in the same order; each one no earlier than in the batch run
    const nz = (s: Float64Array) => [...s.entries()].filter(([, v]) => v > 0);
    const a = nz(batch);
    const b = nz(got);
    assert.ok(a.length >= 2, 'the batch run scored the injected events');
    assert.deepEqual(b.map(([, v]) => v), a.map(([, v]) => v));
    for (const [k, [i]] of b.entries()) assert.ok(i >= a[k]![0], `score ${k} at ${i}, batch at ${a[k]![0]}`);
    // caught up long before the events: they score at the same samples
    assert.equal(b.at(-1)![0], a.at(-1)![0]);
  });

  it('a bag of one ARTime (hold 1, vote 1) is exactly ARTime; a stricter vote never scores higher', () => {
    const { t, x } = series((v) => {
      v[AT] = v[AT]! + 40;
      for (let i = AT + 300; i < N; i++) v[i] = v[i]! + 25;
    });
    const one = { members: 1, spread: 0, hold: 1, vote: 1, stagger: 0, marginSpread: 0, probation: 250, margin: 1, marginLow: 0, categories: 4096, evict: 0, budget: 0 };
    assert.deepEqual([...scoreSeries(createDetector('artime-bag', one), t, x)], [...scoreSeries(createDetector('artime', base), t, x)]);
    const votes = [1, 2, 3].map((vote) => scoreSeries(createDetector('artime-bag', { vote }), t, x));
    for (let i = 0; i < N; i++) assert.ok(votes[0]![i]! >= votes[1]![i]! && votes[1]![i]! >= votes[2]![i]!, `row ${i}`);
    assert.ok(votes[1]!.some((v) => v > 0), 'two members agreed on something');
  });

  it('the vigilance estimate is the same number whatever the budget', () => {
    const rng = new SeededRandom(3);
    const n = 60;
    const dim = 16;
    const rows = new Float64Array(n * dim).map(() => (rng.next() < 0.2 ? 0 : rng.next()));
    rows.fill(0, 5 * dim, 6 * dim); // a zero vector takes the other branch of the similarity
    const whole = new VigilanceEstimate(dim, new FuzzyArt(dim, n + 1), 0.8, new Float64Array(n), new Int32Array(n));
    whole.start(rows, 0, n, n >> 1);
    whole.advance(0); // no budget: all in one call
    assert.equal(whole.done, true);
    const once = whole.result;
    const e = new VigilanceEstimate(dim, new FuzzyArt(dim, n + 1), 0.8, new Float64Array(n), new Int32Array(n));
    e.start(rows, 0, n, n >> 1);
    let calls = 0;
    while (!e.done) {
      const spent = e.advance(100);
      // a unit may overshoot the budget by at most one presentation of n + 1 categories
      assert.ok(spent <= 100 + (n + 2) * 2 * dim, `spent ${spent}`);
      calls++;
    }
    assert.ok(calls > 50, `${calls} calls`);
    assert.equal(e.result, once);
    assert.ok(once > 0 && once <= 1);
  });

  it('with eviction a full network keeps its capacity and learns the new input in place of the least recently used', () => {
    const art = new FuzzyArt(1, 3, true);
    art.rhoLb = art.rhoUb = 0.99;
    art.present([0], true); // the uncommitted node, never evicted
    art.present([0.1], true); // category 1
    art.present([0.5], true); // category 2
    assert.equal(art.present([0.1], true), 1); // 1 resonates: 2 is now the least recently used
    assert.equal(art.present([0.9], true), -1); // a novelty, stored over category 2
    assert.equal(art.categories, 3);
    assert.equal(art.present([0.9], true), 2);
    assert.equal(art.present([0.1], true), 1);
    assert.equal(art.present([0.5], true), -1); // 0.5 was forgotten
  });

  it('a bounded ARTime stays at its capacity on a long stream and still scores a late spike', () => {
    const n = 40_000;
    const rng = new SeededRandom(5);
    const d = createDetector('artime', { ...base, categories: 64, evict: 1, budget: 4000 }) as ARTimeDetector;
    let late = 0;
    let before = 0;
    for (let i = 0; i < n; i++) {
      // a slowly drifting noisy wave: new shapes all the time, so the network fills up
      const x = 50 + 10 * Math.sin(i / 37) + 5 * Math.sin(i / 1013) + rng.normal() + (i === n - 500 ? 60 : 0);
      const s = d.update(i, x);
      if (i >= n - 500 && i < n - 480) late = Math.max(late, s);
      else if (i > n - 5000 && i < n - 500) before = Math.max(before, s);
    }
    const art = (d as unknown as { resonance: { art: FuzzyArt } }).resonance.art;
    assert.equal(art.categories, 64);
    assert.ok(late > before, `late spike ${late} vs ordinary ${before}`);
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
