import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SystemClock } from '../../drivers/hal/clock.js';
import { Runtime } from '../../firmware/runtime/runtime.js';
import { WorkerClient } from '../../firmware/runtime/worker-client.js';
import { TogglingIntersection } from './fixtures/test-intersection.js';

describe('worker isolation', () => {
  it('a worker stalled for 1.5 s delays no lamp change; its request times out instead', async () => {
    const clock = new SystemClock();
    const ix = new TogglingIntersection(clock, 50); // a lamp change every 50 ms
    const worker = new WorkerClient('stall', new URL('./fixtures/stall-worker.ts', import.meta.url), undefined, 700);
    const rt = new Runtime(
      {
        site: 'test',
        board: 'sim',
        clock,
        tickMs: 10,
        historyS: 10,
        status: null,
        eventLog: null,
        affinity: { mode: 'off', profile: undefined, realtime: false },
        detectorFor: () => ({ detector: null, threshold: 1 }),
        print: null,
      },
      { intersection: ix, sampler: null, simulation: null, uplink: null, workers: [{ client: worker, role: 'inference' }] },
    );
    await rt.start();
    assert.equal(await worker.request('echo', 'up'), 'up');

    const changes: number[] = [];
    ix.gpio.onOutput(() => changes.push(performance.now()));
    const t0 = performance.now();
    let answeredAt = -1;
    const stalled = worker.request('spin', 1500, { timeoutMs: 0 }).then(() => (answeredAt = performance.now()));
    const timedOut = await worker.request('echo', 'behind the stall').then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await stalled;
    await rt.stop('test over');

    assert.match(timedOut, /not answered within 700 ms/);
    const during = changes.filter((t) => t > t0 && t < answeredAt);
    // 1.5 s of stall at one change per 50 ms is ~30 changes; the control thread never waited.
    assert.ok(during.length >= 8, `only ${during.length} lamp changes while the worker was stalled`);
    let maxGap = 0;
    for (let i = 1; i < during.length; i++) maxGap = Math.max(maxGap, during[i]! - during[i - 1]!);
    // A control thread that waited on the worker would show one gap of the whole 1.5 s stall.
    assert.ok(maxGap < 1000, `lamp changes stopped for ${maxGap.toFixed(0)} ms while the worker was stalled`);
    assert.equal(worker.timeouts, 1);
  });
});
