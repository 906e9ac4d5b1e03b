import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IsolationForest } from '../../firmware/anomaly/iforest/forest.js';
import { averagePathLength, heightLimit } from '../../firmware/anomaly/iforest/path-length.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';

function gaussianBlob(n: number, d: number, seed: number): Float64Array {
  const r = new SeededRandom(seed);
  const X = new Float64Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = r.normal();
  return X;
}

describe('path-length normaliser c(n)', () => {
  it('matches scikit-learn _average_path_length, including the special cases 0, 1 and 2', () => {
    assert.equal(averagePathLength(0), 0);
    assert.equal(averagePathLength(1), 0);
    assert.equal(averagePathLength(2), 1);
    // values printed by sklearn.ensemble._iforest._average_path_length([3, 10, 256])
    assert.ok(Math.abs(averagePathLength(3) - 1.207392357589623) < 1e-12);
    assert.ok(Math.abs(averagePathLength(10) - 3.748880484475504) < 1e-12);
    assert.ok(Math.abs(averagePathLength(256) - 10.244770920119917) < 1e-12);
  });

  it('height limit is ceil(log2 ψ)', () => {
    assert.equal(heightLimit(256), 8);
    assert.equal(heightLimit(10), 4);
    assert.equal(heightLimit(1), 1);
  });
});

describe('IsolationForest', () => {
  const d = 3;
  const X = gaussianBlob(600, d, 1);

  it('scores an outlier higher than the centre of the data', () => {
    const f = new IsolationForest({ seed: 3 }).fit(X, 600, d);
    const centre = f.score([0, 0, 0]);
    const outlier = f.score([6, -6, 6]);
    assert.ok(outlier > 0.65, `outlier score ${outlier}`);
    assert.ok(centre < 0.45, `centre score ${centre}`);
    assert.ok(outlier > centre);
  });

  it('is reproducible by seed, and a different seed grows a different forest', () => {
    const a = new IsolationForest({ seed: 11 }).fit(X, 600, d);
    const b = new IsolationForest({ seed: 11 }).fit(X, 600, d);
    const c = new IsolationForest({ seed: 12 }).fit(X, 600, d);
    assert.deepEqual(a.toJSON(), b.toJSON());
    assert.deepEqual(Array.from(a.scoreBatch(X, 600)), Array.from(b.scoreBatch(X, 600)));
    assert.notDeepEqual(a.toJSON().threshold, c.toJSON().threshold);
    // a refit of the same instance gives the same forest again (fit reseeds)
    a.fit(X, 600, d);
    assert.deepEqual(a.toJSON(), b.toJSON());
  });

  it('samples ψ = min(maxSamples, n) rows per tree and respects the height limit', () => {
    const f = new IsolationForest({ seed: 1, trees: 20 }).fit(X, 600, d);
    assert.equal(f.psi, 256);
    const small = new IsolationForest({ seed: 1, trees: 20 }).fit(X, 40, d);
    assert.equal(small.psi, 40);
    for (let t = 0; t < 20; t++) assert.equal(f.nodeSamples[f.roots[t]!], 256, 'root holds ψ samples');
    // every leaf value is depth + c(n) with depth ≤ 8
    for (let n = 0; n < f.nodeCount; n++) {
      if (f.feature[n]! >= 0) continue;
      const depth = f.leafValue[n]! - averagePathLength(f.nodeSamples[n]!);
      const whole = Math.round(depth);
      assert.ok(Math.abs(depth - whole) < 1e-9 && whole <= 8 && whole >= 0, `leaf depth ${depth}`);
    }
  });

  it('has scikit-learn semantics: score_samples = −score, decision_function = score_samples − offset', () => {
    const auto = new IsolationForest({ seed: 5 }).fit(X, 600, d);
    assert.equal(auto.offset, -0.5);
    const row = [1, 2, 3];
    assert.equal(auto.scoreSample(row), -auto.score(row));
    assert.equal(auto.decision(row), -auto.score(row) + 0.5);
    const cont = new IsolationForest({ seed: 5, contamination: 0.1 }).fit(X, 600, d);
    const dec = cont.decisionFunction(X, 600);
    const outliers = dec.filter((v) => v < 0).length;
    // offset is the 10th percentile of training score_samples: ~10 % of the rows fall below it
    assert.ok(Math.abs(outliers - 60) <= 1, `${outliers} of 600 below the offset`);
  });

  it('never splits constant data and scores every row of it alike', () => {
    const flat = new Float64Array(50 * 2).fill(4);
    const f = new IsolationForest({ seed: 1, trees: 10 }).fit(flat, 50, 2);
    assert.equal(f.nodeCount, 10, 'one leaf per tree');
    // a single leaf holding ψ = 50 rows: E(h) = c(50), so the score is exactly 0.5
    assert.ok(Math.abs(f.score([4, 4]) - 0.5) < 1e-12);
  });

  it('scores 0.5 everywhere after a fit on a single row, as scikit-learn does', () => {
    const f = new IsolationForest({ seed: 1, trees: 5, contamination: 0.05 }).fit([3], 1, 1);
    assert.equal(f.score([3]), 0.5);
    assert.equal(f.score([300]), 0.5);
    assert.equal(f.offset, -0.5);
  });

  it('scores are in (0, 1] for any data (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 4, maxLength: 60 }), fc.integer({ min: 0, max: 1000 }), (values, seed) => {
        const rows = Math.floor(values.length / 2);
        const f = new IsolationForest({ seed, trees: 5 }).fit(values, rows, 2);
        for (let r = 0; r < rows; r++) {
          const s = f.score(values, r * 2);
          if (!(s > 0 && s <= 1)) return false;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it('survives toJSON/fromJSON unchanged', () => {
    const f = new IsolationForest({ seed: 9, contamination: 0.05 }).fit(X, 600, d);
    const g = IsolationForest.fromJSON(JSON.parse(JSON.stringify(f.toJSON())));
    assert.deepEqual(Array.from(g.scoreBatch(X, 600)), Array.from(f.scoreBatch(X, 600)));
    assert.equal(g.offset, f.offset);
  });

  it('rejects bad parameters and scoring before fit', () => {
    assert.throws(() => new IsolationForest({ trees: 0 }), /trees/);
    assert.throws(() => new IsolationForest({ contamination: 0.7 }), /contamination/);
    assert.throws(() => new IsolationForest().score([1]), /fit/);
    assert.throws(() => new IsolationForest().fit([1, 2], 2, 2), /holds 2 values/);
  });

  it('agrees with scikit-learn on average scores of the same data (different trees, same estimator)', () => {
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import sys, json, numpy as np
from sklearn.ensemble import IsolationForest
d = json.load(sys.stdin)
X = np.array(d['X']).reshape(-1, 3)
s = []
for seed in range(5):
    f = IsolationForest(random_state=seed, contamination=0.05).fit(X)
    s.append([float(-f.score_samples(X).mean()), float(-f.score_samples(np.array([[6.0, -6.0, 6.0]]))[0]), float(f.offset_)])
print(json.dumps(np.mean(np.array(s), axis=0).tolist()))`,
      ],
      { input: JSON.stringify({ X: Array.from(X) }), encoding: 'utf8' },
    );
    assert.equal(py.status, 0, `/usr/bin/python3 with scikit-learn is needed for this interop test (Debian python3-sklearn): ${py.error?.message ?? py.stderr}`);
    const [meanScore, outlierScore, offset] = JSON.parse(py.stdout) as number[];
    let mean = 0;
    let outlier = 0;
    let off = 0;
    for (let seed = 0; seed < 5; seed++) {
      const f = new IsolationForest({ seed, contamination: 0.05 }).fit(X, 600, d);
      mean += f.scoreBatch(X, 600).reduce((a, b) => a + b, 0) / 600 / 5;
      outlier += f.score([6, -6, 6]) / 5;
      off += f.offset / 5;
    }
    assert.ok(Math.abs(mean - meanScore!) < 0.01, `mean score ${mean} vs sklearn ${meanScore}`);
    assert.ok(Math.abs(outlier - outlierScore!) < 0.03, `outlier score ${outlier} vs sklearn ${outlierScore}`);
    assert.ok(Math.abs(off - offset!) < 0.02, `offset ${off} vs sklearn ${offset}`);
  });
});
