import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getBoard } from '../../boards/index.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { startCabinet, stopCabinet } from '../../firmware/runtime/cabinet.js';
import { runJob } from '../../firmware/runtime/jobs.js';
import { loadSite } from '../../firmware/site/load.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The simulated cabinet on a virtual clock: two minutes of traffic, sensors and the developing
 * faults (fan bearing from 40 s, lamp from 60 s) in a few seconds, through the real chip models,
 * drivers, sampling scheduler, detectors and controller.
 */
describe('simulated cabinet faults', () => {
  it('the wearing bearing raises an alert, the lamp self-test finds the degrading lamp, and the controller cycles', async () => {
    const site = await loadSite(join(ROOT, 'firmware/sites/demo.yaml'));
    const clock = new VirtualClock();
    const c = await startCabinet({ site, siteFile: 'demo.yaml', board: getBoard('sim')!, clock, status: null, inference: false, eventLog: null });
    const alerts: string[] = [];
    const faults = c.runtime.pipeline;
    const maxScore = new Map<string, number>();
    for (let s = 0; s < 130; s++) {
      await clock.advanceAsync(1000);
      faults.streams.forEach((st, i) => maxScore.set(st.name, Math.max(maxScore.get(st.name) ?? 0, faults.scores[i]! || 0)));
    }
    for (const f of c.runtime.snapshot().faults) if (f.kind === 'alert') alerts.push(`${f.source} ${f.message}`);
    // The lamp self-test (node-cron on the jobs thread) reads the same shared rings; run it now.
    const jobs = c.runtime.parts.workers!.find((w) => w.client.name === 'jobs')!.client;
    const selfTest = await runJob(jobs, 'lamp_self_test');
    const summary = await stopCabinet(c, 'test over');
    const msg = `alerts: ${alerts.join('; ')}\nmax scores: ${JSON.stringify([...maxScore])}`;
    assert.ok(alerts.some((a) => a.startsWith('pole.vibration_rms_g')), msg);
    assert.equal(selfTest.ok, false, selfTest.message);
    assert.match(selfTest.message, /phase 4: lamp (degrading|out)/);
    assert.ok(summary.phase_changes > 10, `phase changes ${summary.phase_changes}`);
    assert.ok(summary.samples > 10_000);
  });
});
