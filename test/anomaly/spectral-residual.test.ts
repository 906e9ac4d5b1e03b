import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fft } from '../../firmware/anomaly/detectors/spectral/fft.js';
import { SpectralResidualDetector, spectralResidualSpec } from '../../firmware/anomaly/detectors/spectral-residual.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import { createDetector, scoreSeries } from '../../firmware/anomaly/registry.js';
import { AT, dailySeries, maxOf, N } from './fixtures/daily-series.js';

const series = (inject?: (x: Float64Array) => void) => dailySeries(21, inject);

describe('FFT', () => {
  it('matches a direct DFT and inverts back to the input', () => {
    const n = 32;
    const rng = new SeededRandom(4);
    const xr = Float64Array.from({ length: n }, () => rng.normal());
    const xi = Float64Array.from({ length: n }, () => rng.normal());
    const re = xr.slice();
    const im = xi.slice();
    const fft = new Fft(n);
    fft.forward(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * k * j) / n;
        sr += xr[j]! * Math.cos(a) - xi[j]! * Math.sin(a);
        si += xr[j]! * Math.sin(a) + xi[j]! * Math.cos(a);
      }
      assert.ok(Math.abs(re[k]! - sr) < 1e-9 && Math.abs(im[k]! - si) < 1e-9, `bin ${k}`);
    }
    fft.inverse(re, im);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(re[j]! - xr[j]!) < 1e-12 && Math.abs(im[j]! - xi[j]!) < 1e-12);
  });

  it('refuses a size that is not a power of two', () => {
    assert.throws(() => new Fft(48), /power of two/);
  });
});

describe('spectral-residual', () => {
  it('gives a spike a saliency ratio above the paper\'s threshold of 3 and above every ordinary sample', () => {
    const { t, x } = series((v) => (v[AT] = v[AT]! + 15));
    const d = new SpectralResidualDetector({ ...spectralResidualSpec.defaults, alertLevel: 2 });
    let ordinary = 0;
    let spike = 0;
    for (let i = 0; i < N; i++) {
      d.update(t[i]!, x[i]!);
      if (i === AT) spike = d.lastRatio;
      else if (i > 100 && i < AT) ordinary = Math.max(ordinary, d.lastRatio);
    }
    assert.ok(spike > 3, `spike ratio ${spike}`);
    assert.ok(spike > ordinary, `spike ${spike} vs ordinary ${ordinary}`);
  });

  it('scores an injected spike higher than any ordinary sample before it (both mappings)', () => {
    const { t, x } = series((v) => (v[AT] = v[AT]! + 15));
    for (const map of [0, 1]) {
      const s = scoreSeries(createDetector('spectral-residual', { map }), t, x);
      const spike = maxOf(s, AT, AT + 2);
      assert.ok(spike > maxOf(s, 800, AT), `map ${map}: spike ${spike} vs ${maxOf(s, 800, AT)}`);
    }
  });

  it('scores 0 until its window is full', () => {
    const { t, x } = series();
    const s = scoreSeries(createDetector('spectral-residual'), t, x);
    const real = spectralResidualSpec.defaults.window! - spectralResidualSpec.defaults.kappa!;
    assert.equal(maxOf(s, 0, real - 1), 0);
  });

  it('does not look ahead: the scores of a prefix do not change when more data follows', () => {
    const { t, x } = series((v) => (v[AT] = v[AT]! + 15));
    for (const map of [0, 1]) {
      const full = scoreSeries(createDetector('spectral-residual', { map }), t, x);
      for (const cut of [30, 59, 60, AT, AT + 1]) {
        const prefix = scoreSeries(createDetector('spectral-residual', { map }), t.subarray(0, cut), x.subarray(0, cut));
        assert.deepEqual([...prefix], [...full.subarray(0, cut)], `map ${map} prefix of ${cut}`);
      }
    }
  });

  it('is deterministic, reset() returns to the start state, and NaN is skipped', () => {
    const { t, x } = series((v) => (v[AT] = v[AT]! + 15));
    const d = createDetector('spectral-residual');
    const a = scoreSeries(d, t, x);
    d.reset();
    assert.deepEqual([...scoreSeries(d, t, x)], [...a]);
    const e = createDetector('spectral-residual');
    const got: number[] = [];
    for (let i = 0; i < N; i++) {
      if (i === 10 || i === 500) assert.equal(e.update(t[i]!, Number.NaN), 0);
      got.push(e.update(t[i]!, x[i]!));
    }
    assert.deepEqual(got, [...a]);
    assert.ok(a.some((v) => v > 0.4));
  });

  it('a constant stream scores 0 (no division by a zero saliency)', () => {
    const s = scoreSeries(createDetector('spectral-residual'), new Float64Array(500).map((_, i) => i), new Float64Array(500).fill(7));
    assert.equal(maxOf(s, 0, 500), 0);
  });
});
