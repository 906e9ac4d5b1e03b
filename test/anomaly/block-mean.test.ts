import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BlockMeanDetector, blockSize, inBlocks } from '../../firmware/anomaly/block-mean.js';
import { createDetector } from '../../firmware/anomaly/registry.js';
import type { Detector } from '../../firmware/anomaly/detector.js';

/** Records what it is given and scores each value by a fixed rule, so a test can see the calls. */
class Recorder implements Detector {
  readonly name = 'recorder';
  readonly calls: [number, number][] = [];
  update(tMs: number, value: number): number {
    this.calls.push([tMs, value]);
    return Math.abs(value) / (1 + Math.abs(value));
  }
  reset(): void {
    this.calls.length = 0;
  }
}

describe('block-mean detector (a fast stream scored at the detection rate)', () => {
  it('passes each block mean, at the block’s last time, and holds that score until the next block', () => {
    const inner = new Recorder();
    const d = new BlockMeanDetector(inner, 4);
    const out = [1, 2, 3, 6, 10, 10, 10, 14, 5].map((v, i) => d.update(i * 10, v));
    assert.deepEqual(inner.calls, [
      [30, 3],
      [70, 11],
    ]);
    // 0 before the first block ends; then the block's score, held
    assert.deepEqual(out, [0, 0, 0, 0.75, 0.75, 0.75, 0.75, 11 / 12, 11 / 12]);
  });

  it('gives the real default detector the same scores as feeding it the block means by hand', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 200, maxLength: 600 }), fc.integer({ min: 2, max: 12 }), (xs, n) => {
        const wrapped = new BlockMeanDetector(createDetector(), n);
        const byHand = createDetector();
        let held = 0;
        let sum = 0;
        xs.forEach((x, i) => {
          sum += x;
          if ((i + 1) % n === 0) {
            held = byHand.update(i, sum / n);
            sum = 0;
          }
          assert.equal(wrapped.update(i, x), held);
        });
      }),
      { numRuns: 25 },
    );
  });

  it('leaves a faulted (non-finite) sample out of its block, and passes on no block of faults only', () => {
    const inner = new Recorder();
    const d = new BlockMeanDetector(inner, 3);
    for (const v of [2, Number.NaN, 4, Number.NaN, Number.POSITIVE_INFINITY, Number.NaN, 7, 8, 9]) d.update(0, v);
    assert.deepEqual(
      inner.calls.map(([, v]) => v),
      [3, 8],
    );
  });

  it('reset starts a fresh block and resets the detector inside', () => {
    const inner = new Recorder();
    const d = new BlockMeanDetector(inner, 2);
    d.update(0, 5);
    d.update(1, 5);
    d.update(2, 100);
    d.reset();
    assert.equal(inner.calls.length, 0);
    assert.equal(d.update(3, 1), 0);
    assert.equal(d.update(4, 3), 2 / 3);
    assert.deepEqual(inner.calls, [[4, 2]]);
  });

  it('block size: the stream rate over the detection rate, rounded, at least 1; size 1 is no wrapper', () => {
    assert.equal(blockSize(100, 10), 10);
    assert.equal(blockSize(860, 10), 86);
    assert.equal(blockSize(8, 10), 1);
    assert.equal(blockSize(1, 10), 1);
    assert.equal(blockSize(100, 100), 1);
    const inner = new Recorder();
    assert.equal(inBlocks(inner, 1), inner);
    assert.ok(inBlocks(inner, 5) instanceof BlockMeanDetector);
    assert.throws(() => new BlockMeanDetector(inner, 0), /block size must be a positive integer, not 0/);
    assert.throws(() => new BlockMeanDetector(inner, 2.5), /not 2\.5/);
  });
});
