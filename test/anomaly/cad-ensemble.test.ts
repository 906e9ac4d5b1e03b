import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertHoldoff } from '../../firmware/anomaly/alert-holdoff.js';
import { cadEnsembleSpec } from '../../firmware/anomaly/detectors/cad-ensemble.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import { createDetector, scoreSeries } from '../../firmware/anomaly/registry.js';

/** A noisy sine with a level jump at `jumpAt` (past cad-ose's range warm-up) and a spike. */
function signal(n: number, seed: number, jumpAt: number): { t: Float64Array; x: Float64Array } {
  const rng = new SeededRandom(seed);
  const t = Float64Array.from({ length: n }, (_, i) => i * 300_000);
  const x = Float64Array.from({ length: n }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 96) + rng.normal() + (i >= jumpAt ? 25 : 0));
  x[n - 50] = x[n - 50]! + 60;
  return { t, x };
}

describe('cad-ensemble', () => {
  const n = 1400;
  const { t, x } = signal(n, 4, 1100);

  it('by default is max(ensemble, 0.5 × cad-ose), each with its own alert shaping', () => {
    const mixed = scoreSeries(createDetector('cad-ensemble'), t, x);
    const ensemble = scoreSeries(createDetector('ensemble'), t, x);
    const cad = scoreSeries(createDetector('cad-ose'), t, x);
    for (let i = 0; i < n; i++) assert.equal(mixed[i], Math.max(ensemble[i]!, 0.5 * cad[i]!), `row ${i}`);
    assert.ok(mixed.some((v, i) => v > ensemble[i]!), 'cad-ose raises some sample above the ensemble');
  });

  it('shared holdoff, weight 0: exactly the ensemble (raw ensemble + the same holdoff)', () => {
    const mixed = scoreSeries(createDetector('cad-ensemble', { shared: 1, mode: 1, weight: 0 }), t, x);
    const ensemble = scoreSeries(createDetector('ensemble'), t, x);
    assert.deepEqual([...mixed], [...ensemble]);
    assert.ok(ensemble.some((v) => v > 0.45), 'the ensemble alerts somewhere');
  });

  it('shared holdoff, weight 1: exactly cad-ose (after its rest) through that holdoff', () => {
    const mixed = scoreSeries(createDetector('cad-ensemble', { shared: 1, mode: 1, weight: 1 }), t, x);
    const cad = scoreSeries(createDetector('cad-ose'), t, x);
    const d = cadEnsembleSpec.defaults;
    const h = new AlertHoldoff(d.alertLevel!, d.holdoff!, d.damp!, d.fatigue!, d.fatigueTau!);
    const expected = [...cad].map((s) => h.apply(s));
    assert.deepEqual([...mixed], expected);
    assert.ok(cad.some((v) => v > 0.5), 'cad-ose scores something');
  });

  it('shared holdoff, max mode: the larger of the raw ensemble and weight × cad-ose', () => {
    const free = { alertLevel: 2, holdoff: 0, fatigue: 0 };
    const mixed = scoreSeries(createDetector('cad-ensemble', { shared: 1, mode: 0, weight: 0.7, ...free }), t, x);
    const ensemble = scoreSeries(createDetector('ensemble', free), t, x);
    const cad = scoreSeries(createDetector('cad-ose'), t, x);
    for (let i = 0; i < n; i++) assert.equal(mixed[i], Math.max(ensemble[i]!, 0.7 * cad[i]!), `row ${i}`);
  });

  it('does not look ahead, is deterministic, resets, and skips NaN', () => {
    const full = scoreSeries(createDetector('cad-ensemble'), t, x);
    const cut = 1150;
    const prefix = scoreSeries(createDetector('cad-ensemble'), t.subarray(0, cut), x.subarray(0, cut));
    assert.deepEqual([...prefix], [...full.subarray(0, cut)]);
    const d = createDetector('cad-ensemble');
    scoreSeries(d, t, x);
    d.reset();
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i === 1000) assert.equal(d.update(t[i]!, Number.NaN), 0);
      got.push(d.update(t[i]!, x[i]!));
    }
    assert.deepEqual(got, [...full]);
  });
});
