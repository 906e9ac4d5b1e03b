import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SortedWindow } from '../../firmware/anomaly/sorted-window.js';

test('SortedWindow ranks and maxes exactly like a scan of the last `capacity` values', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      // few distinct values, so ties (and evicting one of several equal values) are common
      fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 80 }),
      fc.integer({ min: -6, max: 6 }),
      (capacity, values, probe) => {
        const w = new SortedWindow(capacity);
        const seen: number[] = [];
        for (const v of values) {
          w.push(v / 2);
          seen.push(v / 2);
          const last = seen.slice(-capacity);
          assert.equal(w.count, last.length);
          assert.equal(w.countBelow(probe / 2), last.filter((c) => c < probe / 2).length);
          assert.equal(w.max(), Math.max(...last));
        }
      },
    ),
  );
});

test('SortedWindow refuses NaN and clears', () => {
  const w = new SortedWindow(3);
  assert.throws(() => w.push(NaN), /NaN/);
  w.push(2);
  w.push(1);
  assert.equal(w.max(), 2);
  w.clear();
  assert.equal(w.count, 0);
  assert.equal(w.max(), 0);
  assert.equal(w.countBelow(10), 0);
});
