import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/**
 * Safety review (independent reviewer): `wayside run` as a process. The conflict monitor and the
 * flasher live in the same Node process (and event loop) as everything else, so an exception
 * thrown anywhere else in that process (uplink, status server, a driver callback) must still end
 * in all-red flash before the process dies. A preload module stands for such a stray bug.
 */
const ROOT = join(import.meta.dirname, '..', '..');

describe('review: wayside run and a stray uncaught exception', () => {
  it('puts the lamps to all-red flash before the process exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-'));
    const preload = join(dir, 'stray-bug.mjs');
    writeFileSync(preload, "setTimeout(() => { throw new Error('stray bug in another part of the process'); }, 4000);\n");
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', preload, 'firmware/cli/main.ts', 'run', '--board', 'sim', '--site', 'firmware/sites/demo.yaml', '--status', '127.0.0.1:0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    clearTimeout(guard);
    assert.match(out, /stray bug/, 'the stray exception happened');
    assert.match(out, /stopping \(.*\): lamps to all-red flash/, `the lamps went to all-red flash before exit (exit code ${code}):\n${out.slice(-800)}`);
  });
});
