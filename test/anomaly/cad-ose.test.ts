import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CadOseDetector, cadOseSpec } from '../../firmware/anomaly/detectors/cad-ose/cad-ose.js';
import { ContextOperator } from '../../firmware/anomaly/detectors/cad-ose/context-operator.js';
import { ValueRange } from '../../firmware/anomaly/detectors/cad-ose/value-range.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import { createDetector, scoreSeries } from '../../firmware/anomaly/registry.js';

/** Levels 0…7 given straight as values, with a fixed range 0…7 so that level = value. */
const fixedLevels = { rangeMode: 1, inputMin: 0, inputMax: 7 };

function times(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i * 60_000);
}

/** `cycles` repetitions of `pattern`, then `tail`. */
function series(pattern: number[], cycles: number, tail: number[] = []): Float64Array {
  const out: number[] = [];
  for (let c = 0; c < cycles; c++) out.push(...pattern);
  out.push(...tail);
  return Float64Array.from(out);
}

/** A noisy sine whose level jumps after `jumpAt` (past the range warm-up), for streaming checks. */
function noisySine(n: number, seed: number, jumpAt = -1): Float64Array {
  const rng = new SeededRandom(seed);
  return Float64Array.from({ length: n }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 50) + rng.normal() + (jumpAt >= 0 && i >= jumpAt ? 30 : 0));
}

describe('cad-ose: the context memory', () => {
  it('learns an alternation: predicts the next value, and every selected context is active', () => {
    const op = new ContextOperator({ sensorFacts: 6, maxLeftMatch: 7, maxNeurons: 15, maxContexts: 1024, maxLeftSets: 256, leftPool: 4096, maxPotentials: 256, predicts: true });
    const a = 0b010101; // level 0: bit 0 of every position
    const b = 0b101010; // level 7: bit 1 of every position
    for (let i = 0; i < 40; i++) op.step(i % 2 === 0 ? a : b);
    // the last step was b (i = 39): the next one is a
    assert.equal(op.predicted, a);
    assert.equal(op.activeShare, 1);
    assert.equal(op.addedShare, 0);
    for (let i = 40; i < 60; i++) {
      op.step(i % 2 === 0 ? a : b);
      assert.equal(op.predicted, i % 2 === 0 ? b : a, `step ${i}`);
      assert.equal(op.activeShare, 1, `step ${i}`);
    }
    // (contexts still accrue slowly: the set of top active "neurons" keeps changing, so new
    // left parts appear, as in the original; only the prediction has settled)
  });
});

describe('cad-ose: the detector', () => {
  const pattern = [0, 3, 5, 7, 6, 2, 1, 4];

  it('scores a learnt repeating pattern low and a novel transition high', () => {
    const x = series(pattern, 60, [0, 7, 0, 7]);
    const s = scoreSeries(createDetector('cad-ose', fixedLevels), times(x.length), x);
    const learnt = Math.max(...s.subarray(50 * 8, 60 * 8));
    const novel = s[60 * 8 + 1]!; // 0 → 7: a transition never seen
    assert.ok(learnt < 0.15, `learnt cycles scored up to ${learnt}`);
    assert.ok(novel >= 0.5, `novel transition scored ${novel}`);
  });

  it('predict 1 (the first published version): a predicted value scores exactly 0', () => {
    const x = series(pattern, 60, [0, 7, 0, 7]);
    const s = scoreSeries(createDetector('cad-ose', { ...fixedLevels, predict: 1 }), times(x.length), x);
    assert.equal(Math.max(...s.subarray(50 * 8, 60 * 8)), 0, 'every value of the learnt cycles was predicted');
    assert.ok(s[60 * 8 + 1]! >= 0.5, `novel transition scored ${s[60 * 8 + 1]}`);
  });

  it('scores novelty the same way with the streaming range (past its warm-up)', () => {
    const n = 1500;
    const x = noisySine(n, 3, 1200);
    const s = scoreSeries(createDetector('cad-ose'), times(n), x);
    let before = 0;
    for (let i = 1000; i < 1200; i++) before += s[i]!;
    let after = 0;
    for (let i = 1200; i < 1210; i++) after = Math.max(after, s[i]!);
    assert.ok(after > 0.5, `level jump scored ${after}`);
    assert.ok(before / 200 < after / 2, `mean before ${before / 200} vs jump ${after}`);
  });

  it('rests: the first restPeriod samples and the restPeriod after a raw score ≥ threshold report 0', () => {
    const rest = 10;
    const d = new CadOseDetector({ ...cadOseSpec.defaults, ...fixedLevels, restPeriod: rest });
    const x = series(pattern, 30, [0, 7, 0, 7, 3, 3]);
    const out: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < x.length; i++) {
      out.push(d.update(i, x[i]!));
      raw.push(d.lastRaw);
    }
    for (let i = 0; i < rest; i++) assert.equal(out[i], 0, `sample ${i} lies in the first rest`);
    assert.ok(raw.slice(0, rest).some((r) => r >= 0.75), 'the early samples are novel');
    for (let i = rest; i < x.length; i++) {
      let high = false;
      for (let j = i - rest; j < i; j++) if (raw[j]! >= 0.75) high = true;
      assert.equal(out[i], high ? 0 : raw[i], `sample ${i}`);
    }
    // the novel tail raised the raw score and only its first sample came through
    const tailStart = 30 * pattern.length;
    assert.ok(out[tailStart + 1]! >= 0.75 || out[tailStart]! >= 0.75);
  });

  it('does not look ahead: a prefix scores the same when more data follows', () => {
    const n = 1500;
    const x = noisySine(n, 5, 1200);
    const t = times(n);
    const full = scoreSeries(createDetector('cad-ose'), t, x);
    for (const cut of [500, 800, 1250]) {
      const prefix = scoreSeries(createDetector('cad-ose'), t.subarray(0, cut), x.subarray(0, cut));
      assert.deepEqual([...prefix], [...full.subarray(0, cut)], `cut ${cut}`);
    }
  });

  it('is deterministic and reset() returns to the start state', () => {
    const n = 1200;
    const x = noisySine(n, 9);
    const t = times(n);
    const d = createDetector('cad-ose');
    const a = scoreSeries(d, t, x);
    d.reset();
    const b = scoreSeries(d, t, x);
    const c = scoreSeries(createDetector('cad-ose'), t, x);
    assert.deepEqual([...b], [...a]);
    assert.deepEqual([...c], [...a]);
    assert.ok(a.some((v) => v > 0), 'some sample scores above 0');
  });

  it('scores NaN and ±Infinity 0 and carries on as if they had not been given', () => {
    const n = 1000;
    const x = noisySine(n, 11);
    const clean = scoreSeries(createDetector('cad-ose'), times(n), x);
    const d = createDetector('cad-ose');
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 97 === 0) {
        assert.equal(d.update(i, Number.NaN), 0);
        assert.equal(d.update(i, Number.NEGATIVE_INFINITY), 0);
      }
      got.push(d.update(i * 60_000, x[i]!));
    }
    assert.deepEqual(got, [...clean]);
  });

  it('keeps running with a full memory: scores stay in [0, 1] and it says it is saturated', () => {
    const d = new CadOseDetector({ ...cadOseSpec.defaults, maxContexts: 64, maxLeftSets: 32, leftPool: 256, maxPotentials: 16 });
    const rng = new SeededRandom(2);
    for (let i = 0; i < 3000; i++) {
      const s = d.update(i, rng.normal());
      assert.ok(s >= 0 && s <= 1, `${s}`);
    }
    assert.equal(d.memory.saturated, true);
    assert.ok(d.memory.contexts <= 64);
  });

  it('a value beyond the frozen range widens it and rebuilds the memory from the recent values', () => {
    const run = (relearn: number) => {
      const d = new CadOseDetector({ ...cadOseSpec.defaults, relearn });
      const x = noisySine(1100, 3);
      x[1000] = x[1000]! + 100;
      let before = 0;
      let spike = 0;
      for (let i = 0; i < x.length; i++) {
        if (i === 1000) before = d.memory.contexts;
        const s = d.update(i, x[i]!);
        if (i === 1000) spike = s;
      }
      return { before, after: d.memory.contexts, spike };
    };
    const rebuilt = run(3000);
    const clamped = run(0);
    assert.equal(rebuilt.spike, 1, 'the spike is a never-seen level');
    // the old contexts are gone: the last values, quantised over the wider range, need far fewer
    assert.ok(rebuilt.after < rebuilt.before / 2, `contexts ${rebuilt.before} → ${rebuilt.after}`);
    assert.ok(clamped.after >= clamped.before, `without relearn the memory only grows: ${clamped.before} → ${clamped.after}`);
  });

  it('refuses a bit count it cannot encode', () => {
    assert.throws(() => createDetector('cad-ose', { bits: 6 }), /bits must be 1…5/);
  });
});

describe('cad-ose: the value range', () => {
  it('streams: widens to the extremes seen, with a margin, until the warm-up ends; then clamps', () => {
    const r = new ValueRange(false, 0, 1, 8, 0.5, 3);
    assert.equal(r.level(10), 0); // one value: a flat range, levels step by 1
    assert.equal(r.level(20), 5); // seen 10…20, range 5…25: (20 − 5) / (20 / 7) = 5.25
    assert.equal(r.level(0), 1); // seen 0…20, range −10…30: 10 / (40 / 7) = 1.75
    // warm-up over: the range −10…30 stays, values beyond it take the edge levels
    assert.equal(r.level(100), 7);
    assert.equal(r.level(-100), 0);
    assert.equal(r.level(10), 3); // 20 / (40 / 7) = 3.5: the range did not widen to 100
    r.reset();
    assert.equal(r.level(100), 0);
  });

  it('fixed: NAB setup, the given minimum and maximum', () => {
    const r = new ValueRange(true, 0, 70, 8);
    assert.equal(r.level(0), 0);
    assert.equal(r.level(35), 3);
    assert.equal(r.level(70), 7);
    assert.equal(r.level(1000), 7);
  });
});
