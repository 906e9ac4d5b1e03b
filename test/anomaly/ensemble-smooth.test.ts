import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetector, scoreSeries } from '../../firmware/anomaly/registry.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';

/** White noise with a sustained shift of 2 sd from row `from` on: no single value is rare. */
function shifted(n: number, from: number): { t: Float64Array; x: Float64Array } {
  const rng = new SeededRandom(11);
  const t = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = i * 60_000;
    x[i] = 20 + rng.normal() + (i >= from ? 2 : 0);
  }
  return { t, x };
}

const maxOf = (s: Float64Array, from: number, to: number) => {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, s[i]!);
  return m;
};

describe('smoothed value channel (gaussian-tail short + shortExp, used by the ensemble)', () => {
  const n = 3000;
  const from = 2500;
  const { t, x } = shifted(n, from);
  const { t: t0, x: x0 } = shifted(n, n);
  const bare = { diffWindow: 0, seasonWindow: 0, holdoff: 0, fatigue: 0 };
  const smooth = { ...bare, short: 48, shortExp: 0.5 };

  it('finds a sustained shift of ordinary values rarer than any single value of it', () => {
    const s = scoreSeries(createDetector('gaussian-tail', smooth), t, x);
    const single = scoreSeries(createDetector('gaussian-tail', bare), t, x);
    const a = maxOf(s, from, n);
    const b = maxOf(single, from, n);
    assert.ok(a > 0.45 && a > b + 0.05, `smoothed ${a} vs single values ${b}`);
  });

  it('stays low on the same noise without the shift', () => {
    const s = scoreSeries(createDetector('gaussian-tail', smooth), t0, x0);
    assert.ok(maxOf(s, 1000, n) < 0.3, `${maxOf(s, 1000, n)}`);
  });

  it('makes the ensemble alert on the shift sooner than without the channel', () => {
    const firstAlert = (s: Float64Array) => {
      for (let i = from; i < n; i++) if (s[i]! >= 0.45) return i;
      return n;
    };
    const a = firstAlert(scoreSeries(createDetector('ensemble'), t, x));
    const b = firstAlert(scoreSeries(createDetector('ensemble', { smoothShort: 0 }), t, x));
    assert.ok(a < n && a < b, `first alert with the channel at ${a}, without at ${b}`);
  });
});

describe('smoothed same-time-yesterday channel (gaussian-tail seasonShort)', () => {
  // 5-minute samples of a daily sine; on day 6 a stretch of 150 samples sits 4 units (≈ 2.8
  // residual sd) above the day before: every value and every single residual is ordinary-ish
  const day = 288;
  const n = 7 * day;
  const from = 6 * day + 100;
  const rng = new SeededRandom(5);
  const t = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = i * 300_000;
    x[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / day) + rng.normal() + (i >= from && i < from + 150 ? 4 : 0);
  }
  const seasonOnly = { long1: 0, diffWindow: 0, seasonWindow: 2000, diffNovel: 0, holdoff: 0, fatigue: 0, shortExp: 0.5 };

  it('scores the sustained change higher as a 48-residual mean than residual by residual', () => {
    const s = scoreSeries(createDetector('gaussian-tail', { ...seasonOnly, seasonShort: 48 }), t, x);
    const single = scoreSeries(createDetector('gaussian-tail', seasonOnly), t, x);
    const a = maxOf(s, from, from + 150);
    const b = maxOf(single, from, from + 150);
    const quiet = maxOf(s, 2 * day, from);
    assert.ok(a > b + 0.05, `smoothed ${a} vs single residuals ${b}`);
    assert.ok(a > quiet + 0.2, `smoothed in the change ${a} vs before it ${quiet}`);
  });
});
