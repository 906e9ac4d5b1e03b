import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jobsSection } from '../../firmware/site/sections/jobs.js';
import { runJob, startJobs } from '../../firmware/runtime/jobs.js';
import { SampleRing } from '../../firmware/runtime/ring-buffer.js';
import type { WorkerClient } from '../../firmware/runtime/worker-client.js';

/** The jobs thread reads the control thread's rings through shared memory and reports back. */
describe('scheduled jobs (on the jobs thread)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wayside-jobs-'));
  const log = join(dir, 'events.jsonl');
  const current = new SampleRing(600, { shared: true });
  const vib = new SampleRing(600, { shared: true });
  const indications = new Uint8Array(new SharedArrayBuffer(9));
  let jobs: WorkerClient;

  before(async () => {
    jobs = startJobs({
      jobs: jobsSection.parse({ log_rotation: { max_mb: 0.0001, keep: 2 } }),
      streams: [
        // no detector on this one: the refit leaves it alone
        { name: 'lamps-4.current_a', unit: 'A', ring: current.shared, detection: null },
        // 100 Hz scored at 10 Hz: the refit replays block means of 10, as the online detector sees them
        { name: 'pole.vibration_rms_g', unit: 'g', ring: vib.shared, detection: { detector: 'gaussian-tail', params: { long1: 256 }, threshold: 0.9, block: 10 } },
      ],
      lamps: [{ phase: 4, currentStream: 'lamps-4.current_a' }],
      indications: indications.buffer as SharedArrayBuffer,
      eventLog: log,
      detectorModule: new URL('../../firmware/anomaly/registry.ts', import.meta.url).href,
    });
    await jobs.ready;
  });
  after(async () => {
    await jobs.terminate();
  });

  it('lamp self-test: a lit head drawing well under its usual current is reported degrading', async () => {
    indications[4] = 3; // green
    for (let i = 0; i < 200; i++) current.push(i * 100, 0.84 + (i % 3) * 0.01);
    assert.equal((await runJob(jobs, 'lamp_self_test')).ok, true);
    for (let i = 200; i < 220; i++) current.push(i * 100, 0.45);
    const r = await runJob(jobs, 'lamp_self_test');
    assert.equal(r.ok, false);
    assert.match(r.message, /phase 4: lamp degrading \(0\.450 A, usual 0\.8\d\d A\)/);
  });

  it('lamp self-test: a lit head drawing nothing is reported out; a dark head is not tested', async () => {
    for (let i = 0; i < 20; i++) current.push(30_000 + i * 100, 0.01);
    assert.match((await runJob(jobs, 'lamp_self_test')).message, /phase 4: lamp out/);
    indications[4] = 0;
    assert.equal((await runJob(jobs, 'lamp_self_test')).ok, true);
  });

  it('detector refit replays each watched stream history as its online detector sees it and returns per-stream thresholds', async () => {
    for (let i = 0; i < 500; i++) vib.push(i * 10, 0.014 + 0.0005 * Math.sin(i));
    const r = await runJob(jobs, 'detector_refit');
    assert.equal(r.ok, true, r.message);
    const th = (r.details as { thresholds: { stream: string; detector: string; threshold: number; samples: number; block: number }[] }).thresholds;
    assert.deepEqual(th.map((t) => t.stream), ['pole.vibration_rms_g']);
    const v = th[0]!;
    assert.equal(v.samples, 500);
    assert.equal(v.block, 10);
    assert.equal(v.detector, 'gaussian-tail');
    assert.ok(v.threshold >= 0.9 && v.threshold <= 0.999);
  });

  it('log rotation renames the event log past its size and keeps the configured generations', async () => {
    writeFileSync(log, 'x'.repeat(1000));
    assert.match((await runJob(jobs, 'log_rotation')).message, /rotated event log/);
    assert.ok(existsSync(`${log}.1`) && !existsSync(log));
    writeFileSync(log, 'y'.repeat(1000));
    await runJob(jobs, 'log_rotation');
    writeFileSync(log, 'z'.repeat(1000));
    await runJob(jobs, 'log_rotation');
    assert.ok(existsSync(`${log}.1`) && existsSync(`${log}.2`) && !existsSync(`${log}.3`));
  });

  it('clock sanity: this machine clock is plausible', async () => {
    const r = await runJob(jobs, 'clock_sanity');
    assert.equal(r.ok, true, r.message);
  });
});
