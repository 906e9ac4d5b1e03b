import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getBoard } from '../../boards/index.js';
import { startCabinet, stopCabinet } from '../../firmware/runtime/cabinet.js';
import { loadSite } from '../../firmware/site/load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shutdown', () => {
  it('safe state: every head flashes red with nothing else lit, then the outputs are released', async () => {
    const site = await loadSite(join(ROOT, 'firmware/sites/demo.yaml'));
    const c = await startCabinet({
      site: { ...site, controller: { ...(site.controller ?? {}), startup_flash_s: 1, startup_red_s: 1 } } as typeof site,
      siteFile: 'demo.yaml',
      board: getBoard('sim')!,
      status: null,
      inference: false,
      jobs: false,
      eventLog: null,
    });
    const gpio = c.simBoard!.gpio;
    const heads = Object.values(site.lamps.phases);
    // Bounded wait for the controller to light a green.
    for (let i = 0; i < 100 && !heads.some((h) => gpio.physical(h.green) === 1); i++) await wait(50);
    assert.ok(heads.some((h) => gpio.physical(h.green) === 1), 'a green was lit before shutdown');

    const lit: string[] = [];
    const redLevels = new Set<number>();
    gpio.onOutput((pin, level) => {
      for (const h of heads) {
        if ((pin === h.green || pin === h.yellow) && level === 1) lit.push(`pin ${pin}`);
        if (pin === h.red) redLevels.add(level);
      }
    });
    c.intersection.safeState('test shutdown');
    for (const h of heads) {
      assert.equal(gpio.physical(h.green), 0);
      assert.equal(gpio.physical(h.yellow), 0);
    }
    await wait(1300); // over a full flash period
    assert.deepEqual(lit, [], 'no green or yellow lit during the flash');
    assert.deepEqual([...redLevels].sort(), [0, 1], 'the reds flash');
    assert.equal(c.intersection.monitor().healthy, false, 'health reports the flash');

    const summary = await stopCabinet(c, 'test over');
    assert.ok(summary.phase_changes > 0);
    // Released: each lamp pin can be claimed again.
    for (const h of heads) assert.doesNotThrow(() => gpio.output({ pin: h.red }).close());
  });

  it('SIGTERM ends `wayside run` with all-red flash, released outputs and exit 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'firmware/cli/main.ts', 'run', '--board', 'sim', '--site', 'firmware/sites/demo.yaml', '--status', '127.0.0.1:0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    for (let i = 0; i < 600 && !/Ctrl-C to stop/.test(out) && child.exitCode === null; i++) await wait(100);
    assert.match(out, /Ctrl-C to stop/);
    const code = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    assert.equal(await code, 0, out);
    assert.match(out, /stopping \(SIGTERM\): lamps to all-red flash/);
    assert.match(out, /outputs released/);
  });
});
