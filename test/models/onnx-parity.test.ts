import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsolationForest } from '../../firmware/anomaly/iforest/forest.js';
import { forestFromOnnx, forestToOnnx } from '../../firmware/anomaly/iforest/onnx-export.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import { describeModel } from '../../models/onnx/describe.js';
import { decodeModel, encodeModel } from '../../models/onnx/proto.js';
import { createSession, runFloat } from '../../models/runtime.js';

/** Awkward data for float32 thresholds: mixed scales, ties, a constant column, values that are not float32. */
function awkward(n: number, d: number, seed: number): Float64Array {
  const r = new SeededRandom(seed);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      if (j === 0) X[k] = 1e4 + r.normal() * 1e-3; // tiny spread around a large value
      else if (j === 1) X[k] = Math.round(r.normal() * 3); // many ties
      else if (j === 2) X[k] = 7.25; // constant
      else X[k] = r.normal() * 10 ** (j - 3) + 0.1; // 0.1 is not a float32
    }
  return X;
}

async function maxParityError(f: IsolationForest, X: Float64Array, rows: number): Promise<{ score: number; decision: number }> {
  const bytes = encodeModel(forestToOnnx(f));
  const session = await createSession(bytes);
  const out = await runFloat(session, Float32Array.from(X), rows, f.nCols);
  await session.release();
  let score = 0;
  let decision = 0;
  for (let r = 0; r < rows; r++) {
    score = Math.max(score, Math.abs(out.score![r]! - f.score(X, r * f.nCols)));
    decision = Math.max(decision, Math.abs(out.decision_function![r]! - f.decision(X, r * f.nCols)));
  }
  return { score, decision };
}

describe('Isolation Forest in ONNX (TreeEnsembleRegressor + normalisation) on onnxruntime', () => {
  it('agrees with the native walk to 1e-6 on random data, training rows and unseen rows', async () => {
    for (const [n, d, seed] of [
      [500, 4, 1],
      [300, 6, 2],
      [40, 2, 3],
    ] as const) {
      const X = awkward(n, d, seed);
      const f = new IsolationForest({ seed, contamination: 0.05 }).fit(X, n, d);
      const seen = await maxParityError(f, X, n);
      const unseen = awkward(200, d, seed + 100);
      const fresh = await maxParityError(f, unseen, 200);
      for (const e of [seen, fresh]) {
        assert.ok(e.score < 1e-6, `n=${n} d=${d}: max |Δscore| ${e.score}`);
        assert.ok(e.decision < 1e-6, `n=${n} d=${d}: max |Δdecision| ${e.decision}`);
      }
    }
  });

  it('is a well-formed model onnxruntime loads, with the documented inputs, outputs and operators', async () => {
    const X = awkward(100, 4, 5);
    const f = new IsolationForest({ seed: 5, trees: 10 }).fit(X, 100, 4);
    const bytes = encodeModel(forestToOnnx(f, { featureNames: ['a', 'b', 'c', 'd'] }));
    const session = await createSession(bytes);
    assert.deepEqual(session.inputNames, ['X']);
    assert.deepEqual(session.outputNames, ['score', 'decision_function']);
    await session.release();
    const d = describeModel(bytes);
    assert.deepEqual(d.inputs, [{ name: 'X', type: 'float32', shape: ['N', 4] }]);
    assert.equal(d.nodeCounts['ai.onnx.ml:TreeEnsembleRegressor'], 1);
    assert.deepEqual(d.opsets, [
      { domain: 'ai.onnx', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    assert.equal(d.metadata.feature_names, JSON.stringify(['a', 'b', 'c', 'd']));
  });

  it('round-trips to a native forest (forestFromOnnx) that scores like the original', () => {
    const X = awkward(200, 5, 8);
    const f = new IsolationForest({ seed: 8, contamination: 0.1 }).fit(X, 200, 5);
    const g = forestFromOnnx(decodeModel(encodeModel(forestToOnnx(f))));
    assert.equal(g.offset, f.offset);
    assert.deepEqual(Array.from(g.feature), Array.from(f.feature.subarray(0, f.nodeCount)));
    for (let r = 0; r < 200; r++) assert.ok(Math.abs(g.score(X, r * 5) - f.score(X, r * 5)) < 1e-6);
  });

  it('rejects a truncated file rather than scoring garbage', async () => {
    const f = new IsolationForest({ seed: 1, trees: 3 }).fit(awkward(50, 4, 1), 50, 4);
    const bytes = encodeModel(forestToOnnx(f));
    await assert.rejects(createSession(bytes.subarray(0, bytes.length >> 1)));
  });
});
