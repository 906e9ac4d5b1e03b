import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getBoard } from '../../boards/index.js';
import { startCabinet, stopCabinet } from '../../firmware/runtime/cabinet.js';
import { systemThreadWorker } from '../../firmware/runtime/system-thread.js';
import { loadSite } from '../../firmware/site/load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a worker thread that dies', () => {
  it('is a fault for each service it hosted; the controller keeps running', async () => {
    const site = await loadSite(join(ROOT, 'firmware/sites/demo.yaml'));
    const c = await startCabinet({
      site: { ...site, controller: { ...(site.controller ?? {}), startup_flash_s: 1, startup_red_s: 1 } } as typeof site,
      siteFile: 'demo.yaml',
      board: getBoard('sim')!,
      status: { host: '127.0.0.1', port: 0 },
      inference: false,
      jobs: true,
      eventLog: null,
    });
    try {
      const system = systemThreadWorker();
      assert.ok(system, 'the status server and the jobs run on the system thread');
      await system.terminate();
      const faults = () => c.runtime.snapshot().faults.filter((f) => f.kind === 'fault' && f.source.startsWith('thread '));
      for (let i = 0; i < 100 && faults().length < 2; i++) await wait(20);
      assert.deepEqual(faults().map((f) => f.source).sort(), ['thread jobs', 'thread status']);
      assert.match(faults()[0]!.message, /thread exited \(code \d+\).*its service has stopped/);
      // Not a safety fault: the controller and the monitor carry on.
      const ticks = c.runtime.loop.ticks;
      await wait(200);
      assert.ok(c.runtime.loop.ticks > ticks, 'the control loop still ticks');
      assert.equal(c.intersection.monitor().healthy, true);
    } finally {
      await stopCabinet(c, 'test over');
    }
  });

  it('says nothing when the runtime stops it', async () => {
    const site = await loadSite(join(ROOT, 'firmware/sites/demo.yaml'));
    const c = await startCabinet({ site, siteFile: 'demo.yaml', board: getBoard('sim')!, status: { host: '127.0.0.1', port: 0 }, inference: false, jobs: true, eventLog: null });
    await stopCabinet(c, 'test over');
    assert.deepEqual(c.runtime.snapshot().faults.filter((f) => f.source.startsWith('thread ')), []);
  });
});
