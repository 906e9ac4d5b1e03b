import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeqTracker } from '../../firmware/uplink/seq-tracker.js';
import { RAW_SAMPLE_BYTES, TelemetrySummariser } from '../../firmware/uplink/telemetry-summary.js';

describe('telemetry summariser', () => {
  it('summarises each stream over the interval: n, min, max, mean, last, highest score', () => {
    const s = new TelemetrySummariser(2);
    for (const [v, score] of [[3, 0.1], [1, 0.9], [2, 0.3]] as const) s.add('temp', v, score);
    s.add('volts', 12.5);
    s.add('volts', 12.7);
    s.add('amps', Number.NaN); // a missing reading counts as a raw sample, not in the stats
    assert.deepEqual(s.take(), {
      temp: { n: 3, min: 1, max: 3, mean: 2, last: 2, max_score: 0.9 },
      volts: { n: 2, min: 12.5, max: 12.7, mean: 12.6, last: 12.7, max_score: null },
    });
    assert.equal(s.rawSamples, 6);
    assert.equal(s.rawBytes, 6 * RAW_SAMPLE_BYTES);
  });

  it('starts a fresh interval after take, and returns undefined for an interval without samples', () => {
    const s = new TelemetrySummariser();
    s.add('x', 10, 5);
    s.take();
    assert.equal(s.take(), undefined);
    s.add('x', -4);
    assert.deepEqual(s.take(), { x: { n: 1, min: -4, max: -4, mean: -4, last: -4, max_score: null } });
  });

  it('grows past its initial capacity without losing streams', () => {
    const s = new TelemetrySummariser(1);
    for (let i = 0; i < 40; i++) s.add(`s${i}`, i, i / 100);
    const out = s.take()!;
    assert.equal(Object.keys(out).length, 40);
    assert.deepEqual(out.s39, { n: 1, min: 39, max: 39, mean: 39, last: 39, max_score: 0.39 });
  });

  it('keeps 7 significant digits', () => {
    const s = new TelemetrySummariser();
    s.add('p', 101325.123456);
    assert.equal(s.take()!.p!.last, 101325.1);
  });
});

describe('seq tracker (consumer side)', () => {
  it('drops duplicates, reports gaps, recognises late arrivals, per device', () => {
    const t = new SeqTracker();
    assert.deepEqual(t.see('a', 5), { kind: 'new' }, 'the first seq seen is the baseline');
    assert.deepEqual(t.see('a', 6), { kind: 'new' });
    assert.deepEqual(t.see('a', 6), { kind: 'duplicate' });
    assert.deepEqual(t.see('a', 9), { kind: 'gap', from: 7, to: 8 });
    assert.deepEqual(t.see('a', 7), { kind: 'late' });
    assert.deepEqual(t.see('a', 7), { kind: 'duplicate' });
    assert.deepEqual(t.see('b', 1), { kind: 'new' });
    assert.equal(t.high('a'), 9);
  });
});
