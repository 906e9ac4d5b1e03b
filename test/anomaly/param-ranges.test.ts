import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetector, detectorNames, detectorSpec } from '../../firmware/anomaly/registry.js';
import { rangeProblem, type ParamRange } from '../../firmware/anomaly/param-ranges.js';

/** A noisy daily-ish wave with a spike: enough to exercise every channel's warm-up. */
function series(n: number): Float64Array {
  const v = new Float64Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = 10 + Math.sin(i / 20) + (s / 2147483648 - 0.5) * 0.3 + (i === n - 50 ? 8 : 0);
  }
  return v;
}

/** Values inside a range to try: its ends (windows capped so the test stays small) and 0 when it means off. */
function inside(r: ParamRange): number[] {
  const top = r.integer ? Math.min(r.max, 3000) : r.max;
  return [r.min, top, ...(r.offAtZero ? [0] : [])];
}

describe('detector parameter ranges', () => {
  it('refuses a value outside the range, naming detector, parameter, range and value', () => {
    assert.throws(() => createDetector('ensemble', { long1: -5 }), /detector "ensemble" parameter "long1" must be an integer from 2 to 1000000 \(or 0 for off\), got -5/);
    assert.throws(() => createDetector('ensemble', { holdoff: 2.5 }), /parameter "holdoff" must be an integer/);
    assert.throws(() => createDetector('gaussian-tail', { long2: 1 }), /"long2" must be an integer from 2 to 1000000 \(or 0 for off\), got 1/);
    assert.throws(() => createDetector('knn-conformal', { damp: 1.5 }), /"damp" must be a number from 0 to 1, got 1.5/);
    assert.throws(() => createDetector('ensemble', { long1: 2e6 }), /"long1" must be an integer from 2 to 1000000/);
  });

  it('lists every bad parameter at once', () => {
    assert.throws(() => createDetector('ensemble', { long1: 1, weight: 3 }), (e: Error) => /"long1"/.test(e.message) && /"weight"/.test(e.message));
  });

  it('checks rules across parameters on the merged set: k within the training set', () => {
    assert.throws(() => createDetector('ensemble', { k: 500 }), /detector "ensemble": k \(500\) must not exceed train \(400\)/);
    assert.throws(() => createDetector('knn-conformal', { train: 20 }), /k \(27\) must not exceed train \(20\)/);
    assert.doesNotThrow(() => createDetector('knn-conformal', { train: 20, k: 20 }));
  });

  it('0 switches an optional window off; a required one refuses it', () => {
    assert.equal(rangeProblem('long2', 0, { min: 2, max: 10, integer: true, offAtZero: true }), null);
    assert.match(rangeProblem('long1', 0, { min: 2, max: 10, integer: true })!, /got 0/);
    assert.throws(() => createDetector('ensemble', { train: 0 }), /"train" must be an integer from 2 to 1000000, got 0/);
  });

  it('every default is inside its own range', () => {
    for (const name of detectorNames()) {
      const spec = detectorSpec(name);
      for (const [k, r] of Object.entries(spec.ranges ?? {})) {
        assert.ok(k in spec.defaults, `${name}: a range for "${k}", which is not a parameter`);
        assert.equal(rangeProblem(k, spec.defaults[k]!, r), null, `${name}.${k} default ${spec.defaults[k]}`);
      }
      assert.equal(spec.check?.(spec.defaults) ?? null, null, `${name}: defaults break its own rule`);
    }
  });

  // The ranges are only honest if every value they let through builds a detector that keeps the
  // contract: one parameter at a time at each end of its range, fed a series with a spike.
  for (const name of ['ensemble', 'gaussian-tail', 'knn-conformal']) {
    it(`${name}: every value its ranges allow builds a detector that scores in [0, 1]`, () => {
      const spec = detectorSpec(name);
      assert.ok(spec.ranges, `${name} declares ranges`);
      const xs = series(1200);
      for (const [k, r] of Object.entries(spec.ranges!)) {
        for (const v of inside(r)) {
          // keep k within the training set (the rule across parameters) while moving either
          const params = { [k]: v, ...(k === 'train' && v < spec.defaults.k! ? { k: v } : {}), ...(k === 'k' && v > spec.defaults.train! ? { train: v } : {}) };
          const d = createDetector(name, params);
          for (let i = 0; i < xs.length; i++) {
            const s = d.update(i * 1000, xs[i]!);
            assert.ok(s >= 0 && s <= 1, `${name} ${k}=${v}: score ${s} at ${i}`);
          }
        }
      }
    });
  }
});
