import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AnomalyLikelihood } from '../../firmware/anomaly/anomaly-likelihood.js';
import { AlertHoldoff } from '../../firmware/anomaly/alert-holdoff.js';
import { qFunction } from '../../firmware/anomaly/tail-probability.js';

/** The anomaly likelihood recomputed from whole arrays, as the header of anomaly-likelihood.ts describes it. */
function naiveLikelihood(raw: number[], short: number, long: number, learn: number, estimate: number, refit: number, twoSided: boolean): number[] {
  const avgs: number[] = [];
  const out: number[] = [];
  let mean = 0;
  let sd = 1;
  let fitted = false;
  for (let i = 0; i < raw.length; i++) {
    const w = raw.slice(Math.max(0, i - short + 1), i + 1);
    const avg = w.reduce((a, b) => a + b, 0) / w.length;
    const hist = avgs.slice(-long);
    let l = 0.5;
    if (i >= learn + estimate && hist.length > 1) {
      if (!fitted || i % refit === 0) {
        const m = hist.reduce((a, b) => a + b, 0) / hist.length;
        const v = hist.reduce((a, b) => a + (b - m) ** 2, 0) / hist.length;
        mean = Math.max(m, 0.03);
        sd = Math.sqrt(Math.max(v, 0.0003));
        fitted = true;
      }
      let z = (avg - mean) / sd;
      if (z < 0) z = twoSided ? -z : 0;
      l = 1 - qFunction(z);
    }
    if (i >= learn) avgs.push(avg);
    out.push(l);
  }
  return out;
}

test('AnomalyLikelihood matches a recomputation from whole arrays', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 2, max: 30 }),
      fc.integer({ min: 0, max: 10 }),
      fc.integer({ min: 0, max: 10 }),
      fc.integer({ min: 1, max: 7 }),
      fc.boolean(),
      (raw, short, long, learn, estimate, refit, twoSided) => {
        const lik = new AnomalyLikelihood(short, long, learn, estimate, refit, 0.03, 0.0003, twoSided);
        const want = naiveLikelihood(raw, short, long, learn, estimate, refit, twoSided);
        for (let i = 0; i < raw.length; i++) {
          const got = lik.update(raw[i]!);
          assert.ok(Math.abs(got - want[i]!) < 1e-9, `row ${i}: ${got} vs ${want[i]}`);
        }
      },
    ),
  );
});

test("logScore is NAB's scaling: 0.5 at a likelihood of 1 − 1e-5, about 1 at 1", () => {
  assert.ok(Math.abs(AnomalyLikelihood.logScore(1 - 1e-5) - 0.5) < 1e-4);
  assert.ok(Math.abs(AnomalyLikelihood.logScore(1) - 1) < 1e-9);
  assert.ok(AnomalyLikelihood.logScore(0.5) < 0.04);
});

test('AlertHoldoff.applyOr: the second score is not lowered by the fatigue, but is held off and adds fatigue', () => {
  const h = new AlertHoldoff(0.5, 2, 0, 0.3, 1e9);
  assert.equal(h.applyOr(0.6, 0), 0.6); // alert: holdoff 2, penalty 0.3
  assert.equal(h.applyOr(0.9, 0.9), 0);
  assert.equal(h.applyOr(0.9, 0.9), 0);
  assert.ok(Math.abs(h.applyOr(0.6, 0) - 0.3) < 1e-9); // lowered by the penalty
  assert.equal(h.applyOr(0.6, 0.55), 0.55); // not lowered: alerts, adds fatigue
  h.reset();
  const g = new AlertHoldoff(0.5, 2, 0, 0.3, 1e9);
  for (const s of [0.1, 0.7, 0.2, 0.9, 0.6, 0.55]) assert.equal(h.applyOr(s, 0), g.apply(s));
});
