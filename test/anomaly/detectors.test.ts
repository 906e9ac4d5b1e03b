import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetectorBank } from '../../firmware/anomaly/bank.js';
import { DEFAULT_DETECTOR, createDetector, detectorNames, scoreSeries } from '../../firmware/anomaly/registry.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';

/** A noisy daily-ish sine, with an outlier at row `spikeAt` when given. */
function signal(n: number, seed: number, spikeAt = -1): { t: Float64Array; x: Float64Array } {
  const rng = new SeededRandom(seed);
  const t = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = i * 300_000;
    x[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + rng.normal();
  }
  if (spikeAt >= 0) x[spikeAt] = x[spikeAt]! + 40;
  return { t, x };
}

// The seed detector refits 100 trees per sample: give it a shorter series to keep the suite fast.
const rowsFor = (name: string) => (name === 'seed' ? 400 : 1500);
// ARTime scores once per block of samples (7 with its defaults), at the block's end: its score
// for the outlier comes up to one block later.
const lagFor = (name: string) => (name.startsWith('artime') ? 7 : 0);

describe('every detector', () => {
  for (const name of detectorNames()) {
    describe(name, () => {
      const n = rowsFor(name);
      const spikeAt = n - 100;
      const { t, x } = signal(n, 7, spikeAt);

      it('scores in [0, 1]', () => {
        const s = scoreSeries(createDetector(name), t, x);
        for (const v of s) assert.ok(v >= 0 && v <= 1, `${v}`);
      });

      it('scores an outlier higher than every ordinary sample before it', () => {
        const s = scoreSeries(createDetector(name), t, x);
        let before = 0;
        for (let i = n / 2; i < spikeAt; i++) before = Math.max(before, s[i]!);
        let outlier = 0;
        for (let i = spikeAt; i <= spikeAt + lagFor(name); i++) outlier = Math.max(outlier, s[i]!);
        assert.ok(outlier > before, `outlier ${outlier} vs max ordinary ${before}`);
      });

      it('does not look ahead: scores of a prefix do not change when more data follows', () => {
        const full = scoreSeries(createDetector(name), t, x);
        const cut = spikeAt - 10;
        const prefix = scoreSeries(createDetector(name), t.subarray(0, cut), x.subarray(0, cut));
        assert.deepEqual([...prefix], [...full.subarray(0, cut)]);
      });

      it('scores a non-finite sample 0 and carries on as if it had not been given', () => {
        const clean = scoreSeries(createDetector(name), t, x);
        const d = createDetector(name);
        const got: number[] = [];
        for (let i = 0; i < n; i++) {
          if (i === spikeAt - 50) assert.equal(d.update(t[i]!, Number.NaN), 0);
          if (i === spikeAt - 40) assert.equal(d.update(t[i]!, Number.POSITIVE_INFINITY), 0);
          got.push(d.update(t[i]!, x[i]!));
        }
        assert.deepEqual(got, [...clean]);
      });

      it('is deterministic, and reset() returns to the start state', () => {
        const d = createDetector(name);
        const a = scoreSeries(d, t, x);
        d.reset();
        const b = scoreSeries(d, t, x);
        const c = scoreSeries(createDetector(name), t, x);
        assert.deepEqual([...b], [...a]);
        assert.deepEqual([...c], [...a]);
      });
    });
  }
});

describe('registry', () => {
  it('lists the valid names for an unknown detector', () => {
    assert.throws(() => createDetector('nope'), /unknown detector "nope"; valid: .*gaussian-tail.*seed/);
  });
  it('refuses an unknown parameter, naming the valid ones', () => {
    assert.throws(() => createDetector('gaussian-tail', { bogus: 1 }), /no parameter "bogus"; valid: .*long1/);
  });
  it('has a default detector', () => {
    assert.ok(detectorNames().includes(DEFAULT_DETECTOR));
  });
});

describe('DetectorBank', () => {
  it('runs independent detectors per stream, the same as running them alone', () => {
    const bank = new DetectorBank([{ name: 'a' }, { name: 'b', detector: 'gaussian-tail' }, { name: 'c', detector: 'iforest' }]);
    const streams = [signal(600, 1), signal(600, 2, 500), signal(600, 3, 550)];
    const out = streams.map(() => new Float64Array(600));
    for (let i = 0; i < 600; i++) {
      for (let k = 0; k < 3; k++) out[k]![i] = bank.update(k, streams[k]!.t[i]!, streams[k]!.x[i]!);
    }
    const alone = [createDetector(DEFAULT_DETECTOR), createDetector('gaussian-tail'), createDetector('iforest')];
    for (let k = 0; k < 3; k++) assert.deepEqual([...out[k]!], [...scoreSeries(alone[k]!, streams[k]!.t, streams[k]!.x)]);
    assert.equal(bank.scores[2], out[2]![599]);
    assert.equal(bank.indexOf('b'), 1);
    assert.throws(() => bank.indexOf('zz'), /no stream "zz"/);
  });
  it('refuses a duplicated stream name', () => {
    assert.throws(() => new DetectorBank([{ name: 'a' }, { name: 'a' }]), /listed twice/);
  });
});
