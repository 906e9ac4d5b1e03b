import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import type { DetectorParams } from '../../firmware/anomaly/detector.js';
import { RelativeEntropyDetector, relativeEntropySpec } from '../../firmware/anomaly/detectors/relative-entropy.js';
import { scoreSeries } from '../../firmware/anomaly/registry.js';

// Not registered (no gain on NAB, and it alerts on the unseen phases of a daily cycle for its
// first days, which the every-detector suite rightly refuses): built directly.
const createDetector = (_name: string, p: DetectorParams = {}) => new RelativeEntropyDetector({ ...relativeEntropySpec.defaults, ...p });

const N = 3000;
const AT = 2000;

/** Uniform noise in [0, 10) with one sample at 10 (fixing the range), then from AT noise squeezed into [4, 6). */
function series(change: boolean): { t: Float64Array; x: Float64Array } {
  const rng = new SeededRandom(9);
  const t = new Float64Array(N);
  const x = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    t[i] = i * 60_000;
    x[i] = change && i >= AT ? 4 + 2 * rng.next() : 10 * rng.next();
  }
  x[0] = 10;
  x[1] = 0;
  return { t, x };
}

const raw = { alertLevel: 2 };

describe('relative-entropy', () => {
  it('a stationary stream settles on its hypotheses and then rarely alerts', () => {
    const { t, x } = series(false);
    const s = scoreSeries(createDetector('relative-entropy', raw), t, x);
    const early = s.subarray(0, 300).reduce((a, v) => a + v, 0);
    const late = s.subarray(1000).reduce((a, v) => a + v, 0);
    // a χ² test at 0.99 against several hypotheses: a random window seldom rejects them all
    assert.ok(late <= 0.01 * (N - 1000), `${late} alerts in the last ${N - 1000} samples (${early} in the first 300)`);
  });

  it('a window with a new distribution alerts within the window length, and a repeat of it does not', () => {
    const { t, x } = series(true);
    const s = scoreSeries(createDetector('relative-entropy', raw), t, x);
    const first = s.subarray(AT).findIndex((v) => v === 1);
    assert.ok(first >= 0 && first < 52, `first alert ${first} samples after the change`);
    // once the squeezed distribution is a hypothesis, its later windows agree with it
    assert.equal(s.subarray(AT + 200).reduce((a, v) => a + v, 0), 0);
  });

  it('does not look ahead, is deterministic, and skips NaN', () => {
    const { t, x } = series(true);
    const full = scoreSeries(createDetector('relative-entropy'), t, x);
    for (const cut of [51, 52, AT + 10, AT + 60]) {
      assert.deepEqual([...scoreSeries(createDetector('relative-entropy'), t.subarray(0, cut), x.subarray(0, cut))], [...full.subarray(0, cut)], `prefix ${cut}`);
    }
    const d = createDetector('relative-entropy');
    const got: number[] = [];
    for (let i = 0; i < N; i++) {
      if (i === 30 || i === AT) assert.equal(d.update(t[i]!, Number.NaN), 0);
      got.push(d.update(t[i]!, x[i]!));
    }
    assert.deepEqual(got, [...full]);
    d.reset();
    assert.deepEqual([...scoreSeries(d, t, x)], [...full]);
  });

  it('keeps at most its hypothesis capacity, replacing the least recently agreed-with', () => {
    // a level that keeps moving: every window is new, far more windows than the 4 slots
    const t = new Float64Array(2000).map((_, i) => i);
    const x = new Float64Array(2000).map((_, i) => Math.floor(i / 60) % 7);
    const d = createDetector('relative-entropy', { ...raw, hypotheses: 4 });
    const s = scoreSeries(d, t, x);
    assert.ok(s.some((v) => v === 1));
    assert.equal((d as unknown as { count: number }).count, 4);
  });
});
