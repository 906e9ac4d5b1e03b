import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'firmware/cli/main.ts', ...args], { encoding: 'utf8' });

describe('wayside fleet schedule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
  it('prints the JSON contract', () => {
    const f = join(dir, 'p.json');
    writeFileSync(
      f,
      JSON.stringify({
        nodes: [{ id: 'c1', cpu: 1.2, mem_mb: 4096, bw_mbps: 100 }, { id: 'c2', cpu: 1, mem_mb: 4096, bw_mbps: 50 }],
        tasks: [{ id: 't1', compute: 0.5, mem_mb: 200, data_mb: 5, source: 'c2' }],
      }),
    );
    const r = cli(['fleet', 'schedule', f, '--json', '--seed', '3', '--generations', '5']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['assignment', 'elapsed_ms', 'generations', 'lower_bound', 'lpt_makespan', 'makespan']);
    // On c2 (its source): 0.5 s. On c1: 0.5/1.2 + 40/50 = 1.217 s.
    assert.deepEqual(out.assignment, { t1: 'c2' });
    assert.equal(out.makespan, 0.5);
  });

  it('exits 1 naming the field of a malformed problem', () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ nodes: [{ id: 'c1', cpu: 'fast', mem_mb: 1, bw_mbps: 1 }], tasks: [] }));
    const r = cli(['fleet', 'schedule', f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.json: nodes\.0\.cpu/);
  });
});
