import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REACHABLE_DECISION, SeedDetector, seedSpec } from '../../firmware/anomaly/detectors/seed.js';

describe("seed: the article's detector", () => {
  it('never reaches its own −0.7 alert threshold, even for a 10⁶ outlier', () => {
    for (const outlier of [1e3, 1e6, -1e6, 1e12]) {
      const d = new SeedDetector(seedSpec.defaults);
      for (let i = 0; i < 9; i++) d.update(i * 1000, 10 + (i % 3) * 0.1);
      const score = d.update(9000, outlier);
      assert.equal(d.alert, false);
      // measured: about −0.14 (scikit-learn 1.2 gives −0.147…−0.144 over 20 random states)
      assert.ok(d.decision < -0.1 && d.decision > -0.2, `decision ${d.decision}`);
      assert.ok(d.decision > -REACHABLE_DECISION);
      assert.ok(score > 0.2 && score < 1, `score ${score}`);
    }
  });

  it('stays above −0.45 over a long noisy series with outliers, so it never alerts', () => {
    const d = new SeedDetector(seedSpec.defaults);
    let min = Infinity;
    let alerts = 0;
    for (let i = 0; i < 300; i++) {
      const x = i % 37 === 0 ? 1e6 : Math.sin(i / 5) + ((i * 7919) % 13) / 13;
      d.update(i, x);
      if (!Number.isNaN(d.decision)) min = Math.min(min, d.decision);
      if (d.alert) alerts++;
    }
    assert.equal(alerts, 0);
    assert.ok(min > -REACHABLE_DECISION, `lowest decision ${min}`);
  });

  it('scores 0 until the window holds 5 samples, like the article', () => {
    const d = new SeedDetector(seedSpec.defaults);
    for (let i = 0; i < 4; i++) assert.equal(d.update(i, 1e6 * i), 0);
    assert.ok(Number.isNaN(d.decision));
    d.update(4, 1);
    assert.ok(Number.isFinite(d.decision));
  });
});
