import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kSmallestSum } from '../../firmware/anomaly/knn-kernel/k-smallest-sum.js';

test('kSmallestSum is the sum of the k smallest, whatever the bound guess (too low, exact, loose, none)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.float({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom(0, 0.5, 1, 1.3, 4, Infinity),
      fc.integer({ min: 0, max: 200 }),
      (raw, kWanted, boundScale, headSeed) => {
        const values = Float32Array.from(raw);
        const at = 3;
        const buf = new Float32Array(values.length + at);
        buf.set(values, at);
        const k = Math.min(kWanted, values.length);
        const sorted = [...values].sort((a, b) => a - b);
        const want = sorted.slice(0, k).reduce((a, b) => a + b, 0);
        const kth = sorted[k - 1]!;
        const heap = new Float64Array(k);
        const scratch = new Float32Array(values.length);
        const head = headSeed % values.length;
        const got = kSmallestSum(buf, at, values.length, k, heap, scratch, boundScale === Infinity ? Infinity : kth * boundScale, head, values.length);
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, want), `got ${got}, want ${want}`);
        assert.equal(heap[0], kth, 'the k-th smallest is left at the top of the heap');
      },
    ),
    { numRuns: 500 },
  );
});
