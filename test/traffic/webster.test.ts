import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScenario } from '../../firmware/traffic/sim/scenario.js';
import { simulate } from '../../firmware/traffic/sim/simulate.js';

/**
 * The simulator against Webster (reference/traffic.md), worked case c = 60 s, g = 27 s,
 * q = 600 veh/h, s = 1800 veh/h on phase 2 (phase 4 takes the rest of the cycle):
 * uniform term 13.61 s, full formula d ≈ 17.6 s. Effective green = displayed green
 * (start-up lost 0 s, yellow used 0 s), exactly as the example.
 */
function webster(c: number, g: number, qVph: number, sVph: number) {
  const lambda = g / c;
  const q = qVph / 3600;
  const x = qVph / (lambda * sVph);
  const uniform = (c * (1 - lambda) ** 2) / (2 * (1 - lambda * x));
  const random = x ** 2 / (2 * q * (1 - x));
  const correction = -0.65 * Math.cbrt(c / q ** 2) * x ** (2 + 5 * lambda);
  return { uniform, random, correction, d: uniform + random + correction };
}

function phase2Delay(arrivals: 'uniform' | 'poisson', seed: number, duration_s: number): number {
  const s = parseScenario({
    duration_s,
    seed,
    arrivals,
    saturation_vph: 1800,
    startup_lost_s: 0,
    yellow_used_s: 0,
    warmup_s: 300,
    volumes_vph: { '2': 600, '4': 300 },
    controller: { type: 'fixed', cycle_s: 60, green_s: { '2': 27, '4': 25 }, yellow_s: 3, red_clear_s: 1 },
  });
  return simulate(s).result.per_phase['2']!.avg_delay_s;
}

describe('simulator vs Webster', () => {
  const w = webster(60, 27, 600, 1800);

  it('reproduces the worked values of the reference', () => {
    assert.ok(Math.abs(w.uniform - 13.61) < 0.01, `uniform ${w.uniform}`);
    assert.ok(Math.abs(w.random - 6.35) < 0.01, `random ${w.random}`);
    assert.ok(Math.abs(w.correction + 2.35) < 0.01, `correction ${w.correction}`);
    assert.ok(Math.abs(w.d - 17.6) < 0.02, `d ${w.d}`);
  });

  it('uniform arrivals, averaged over the arrival phase, are within 7 % of the uniform term', () => {
    // Each seed draws a different offset of the arrival train against the cycle.
    const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
    const ds = seeds.map((seed) => phase2Delay('uniform', seed, 3900));
    const mean = ds.reduce((a, b) => a + b, 0) / ds.length;
    const err = Math.abs(mean - w.uniform) / w.uniform;
    assert.ok(err <= 0.07, `mean ${mean.toFixed(2)} s vs ${w.uniform.toFixed(2)} s (${(err * 100).toFixed(1)} %), per seed ${ds.join(' ')}`);
  });

  it('Poisson arrivals over long runs are within 15 % of the full formula', () => {
    const ds = [1, 2, 3, 4, 5, 6].map((seed) => phase2Delay('poisson', seed, 36000));
    const mean = ds.reduce((a, b) => a + b, 0) / ds.length;
    const err = Math.abs(mean - w.d) / w.d;
    assert.ok(err <= 0.15, `mean ${mean.toFixed(2)} s vs ${w.d.toFixed(2)} s (${(err * 100).toFixed(1)} %), per seed ${ds.join(' ')}`);
    // And above the uniform term: randomness adds delay.
    assert.ok(mean > w.uniform);
  });
});
