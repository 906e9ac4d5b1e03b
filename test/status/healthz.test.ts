import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SystemClock } from '../../drivers/hal/clock.js';
import { Runtime } from '../../firmware/runtime/runtime.js';
import { TogglingIntersection } from '../runtime/fixtures/test-intersection.js';

/**
 * /healthz is served from the status thread and reads the control loop's heartbeat from shared
 * memory, so it can answer 503 while the control thread is stuck. The probes run in a child
 * process (curl), so they work while this (control) thread is blocked.
 */
const run = promisify(execFile);
const STALE_MS = 300;

async function code(url: string): Promise<number> {
  const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', url]);
  return Number(stdout);
}

describe('/healthz', () => {
  const clock = new SystemClock();
  const ix = new TogglingIntersection(clock, 100);
  let rt: Runtime;
  let url: string;

  before(async () => {
    rt = new Runtime(
      {
        site: 'test',
        board: 'sim',
        clock,
        tickMs: 10,
        historyS: 10,
        status: { host: '127.0.0.1', port: 0, staleMs: STALE_MS, publishHz: 4 },
        eventLog: null,
        affinity: { mode: 'off', profile: undefined, realtime: false },
        detectorFor: () => ({ detector: null, threshold: 1 }),
        print: null,
      },
      { intersection: ix, sampler: null, simulation: null, uplink: null },
    );
    await rt.start();
    url = `${rt.statusUrl}/healthz`;
    // Wait (bounded) for the first ticks.
    for (let i = 0; i < 100 && rt.loop.ticks < 5; i++) await new Promise((r) => setTimeout(r, 20));
  });

  after(async () => {
    await rt.stop('test over');
  });

  it('answers 200 while the control loop ticks and the monitor is healthy', async () => {
    // Polled (bounded) rather than one shot: a loaded CI machine may delay a tick past 300 ms.
    let c = 0;
    for (let i = 0; i < 50 && c !== 200; i++) {
      c = await code(url);
      if (c !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(c, 200);
  });

  it('answers 503 while the control thread is stalled, and 200 again once it ticks', async () => {
    // Block this thread (the control thread) for a second; the probe runs meanwhile in a child.
    const during = execFileSync('sh', ['-c', `sleep 1; curl -s -w ' %{http_code}' ${url}`], { encoding: 'utf8' });
    assert.match(during, / 503$/);
    assert.match(during, /control loop stalled: last tick \d+ ms ago/);
    let after = 0;
    for (let i = 0; i < 50 && after !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await code(url);
    }
    assert.equal(after, 200);
  });

  it('answers 503 when the conflict monitor is not healthy', async () => {
    ix.healthy = false;
    let c = 0;
    for (let i = 0; i < 50 && c !== 503; i++) {
      await new Promise((r) => setTimeout(r, 20));
      c = await code(url);
    }
    assert.equal(c, 503);
    ix.healthy = true;
  });

  it('serves /metrics with the control loop lag histogram and queue metrics', async () => {
    await new Promise((r) => setTimeout(r, 600)); // at least one snapshot
    const { stdout } = await run('curl', ['-s', `${rt.statusUrl}/metrics`]);
    assert.match(stdout, /wayside_control_loop_lag_seconds_bucket\{le="0.001"\} \d+/);
    assert.match(stdout, /wayside_queue_depth\{stage="samples",policy="drop-oldest"\} \d+/);
    assert.match(stdout, /wayside_queue_dropped_total\{stage="samples"\} \d+/);
    assert.match(stdout, /wayside_phase_indication\{phase="2"\} [13]/);
    assert.match(stdout, /wayside_rss_bytes \d+/);
  });
});
