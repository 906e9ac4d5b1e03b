import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..', '..');
const exec = promisify(execFile);

async function wayside(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', 'firmware/cli/main.ts', ...args], { cwd: ROOT, timeout: 90_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('wayside run / wayside profile', () => {
  it('run --json prints exactly the summary keys, and --cpu-prof writes a profile that `wayside profile` ranks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wayside-prof-'));
    const r = await wayside(['run', '--board', 'sim', '--site', 'firmware/sites/demo.yaml', '--duration', '4', '--json', '--status', '127.0.0.1:0', '--cpu-prof', dir]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(Object.keys(summary), ['samples', 'alerts', 'phase_changes', 'monitor_trips', 'raw_bytes', 'uplinked_bytes', 'peak_rss_mb']);
    assert.ok(summary.samples > 50, `samples ${summary.samples}`);
    assert.equal(summary.raw_bytes, summary.samples * 16, 'raw bytes are 16 per sample');
    assert.equal(summary.uplinked_bytes, 0, 'no uplink configured');
    assert.ok(summary.peak_rss_mb > 10);

    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    assert.equal(profiles.length, 1);
    const p = await wayside(['profile', join(dir, profiles[0]!), '--json', '--top', '5']);
    assert.equal(p.code, 0, p.stderr);
    const report = JSON.parse(p.stdout);
    assert.ok(report.samples > 0);
    assert.ok(report.functions.length > 0 && report.functions.length <= 5);
    for (let i = 1; i < report.functions.length; i++) assert.ok(report.functions[i - 1].selfMs >= report.functions[i].selfMs, 'sorted by self time');
    const text = await wayside(['profile', join(dir, profiles[0]!)]);
    assert.match(text.stdout, /self ms\s+self %\s+total %\s+function/);
  });

  it('refuses an unknown board (exit 2, listing the known ones) and a bad --status (exit 2)', async () => {
    const b = await wayside(['run', '--board', 'vax-11', '--site', 'firmware/sites/demo.yaml', '--duration', '1']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /unknown board "vax-11"; known: .*raspberry-pi-4.*sim/);
    const s = await wayside(['run', '--board', 'sim', '--site', 'firmware/sites/demo.yaml', '--status', 'localhost']);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /--status: expected HOST:PORT/);
    const p = await wayside(['profile', 'package.json']);
    assert.equal(p.code, 1);
    assert.match(p.stderr, /not a V8 CPU profile/);
  });

  it('refuses a site that fails `wayside check` before driving any output (exit 1, naming the pin)', async () => {
    const r = await wayside(['run', '--board', 'sim', '--site', 'test/site/fixtures/pin-twice.yaml', '--duration', '1', '--status', '127.0.0.1:0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pin-twice\.yaml: 2 problem\(s\) on sim/);
    assert.match(r.stderr, /lamps\.phases\.2\.red: pin 4 is already used by lamps\.phases\.1\.green/);
    assert.doesNotMatch(r.stdout, /phases/);
  });
});
