import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { Fernet } from '../../firmware/uplink/fernet.js';
import { writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { Mosquitto } from '../helpers/mosquitto.js';

/** A CLI child process whose JSON stdout lines are collected, with a way to wait for one. */
class Proc {
  readonly lines: Record<string, unknown>[] = [];
  stderr = '';
  private waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  readonly child: ChildProcess;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'firmware/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        const obj = JSON.parse(line) as Record<string, unknown>;
        this.lines.push(obj);
        this.waiters = this.waiters.filter((w) => (w.pred(obj) ? (w.resolve(obj), false) : true));
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }
  waitFor(pred: (l: Record<string, unknown>) => boolean, ms: number, what: string): Promise<Record<string, unknown>> {
    const found = this.lines.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}; stderr: ${this.stderr}; lines: ${JSON.stringify(this.lines.map((l) => [l['reason'] ?? l['event'], l['version']]))}`)), ms);
      this.waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  }
  kill(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }
}

const tasks = Array.from({ length: 9 }, (_, i) => `    - { id: job${i}, compute: ${1 + (i % 3)}, mem_mb: 100 }`).join('\n');
const site = (id: string, extra = '') => `id: ${id}\nboard: sim\nlamps: { phases: {} }\nfleet:\n  report_interval_s: 0.2\n  capacity: { cpu: 1, mem_mb: 2048, bw_mbps: 50 }\n  tasks:\n${tasks}\n${extra}`;

describe('fleet over a real Mosquitto', { timeout: 120_000 }, () => {
  let broker: Mosquitto;
  let dir: string;
  let key: string;
  const procs: Proc[] = [];
  before(async () => {
    broker = await Mosquitto.start({ persistence: false });
    dir = mkdtempSync(join(tmpdir(), 'fleet-mqtt-'));
    key = join(dir, 'fleet.key');
    await writeNewKeyFile(key);
    for (const id of ['coord', 'd1', 'd2', 'd3']) writeFileSync(join(dir, `${id}.yaml`), site(id));
  });
  after(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await broker.dispose();
  });

  const start = (args: string[]) => {
    const p = new Proc([...args, '--mqtt', broker.url, '--key', key, '--json']);
    procs.push(p);
    return p;
  };

  it('spreads tasks over three devices, and moves a killed device\'s tasks within 2 s', async () => {
    const coord = start(['fleet', 'coordinator', '--site', join(dir, 'coord.yaml')]);
    const devices = ['d1', 'd2', 'd3'].map((id) => start(['fleet', 'device', '--site', join(dir, `${id}.yaml`)]));
    const full = await coord.waitFor((l) => Object.keys(l['byNode'] as object).length === 3, 40_000, 'a plan over 3 nodes');
    const d2Tasks = (full['byNode'] as Record<string, string[]>)['d2']!;
    assert.ok(d2Tasks.length > 0, 'd2 was given work');

    const killedAt = performance.now();
    devices[1]!.kill('SIGKILL');
    const leave = await coord.waitFor((l) => l['reason'] === 'leave d2', 5_000, 'the re-plan after d2 died');
    const v = leave['version'] as number;
    // The survivors receive their new lists; between them they now hold every task.
    const got = await Promise.all([devices[0]!, devices[2]!].map((d) => d.waitFor((l) => (l['version'] as number) >= v, 5_000, `assignment v${v}`)));
    const movedIn = performance.now() - killedAt;
    const held = got.flatMap((l) => l['tasks'] as string[]).sort();
    assert.deepEqual(held, Array.from({ length: 9 }, (_, i) => `job${i}`).sort());
    for (const t of d2Tasks) assert.ok(held.includes(t));
    assert.ok(movedIn < 2000, `tasks moved ${movedIn.toFixed(0)} ms after the kill`);
  });

  it('re-plans when a device runs slower than planned', async () => {
    const d4site = join(dir, 'd4.yaml');
    writeFileSync(d4site, site('d4'));
    const coord = procs[0]!;
    start(['fleet', 'device', '--site', d4site, '--slowdown', '3']);
    const drift = await coord.waitFor((l) => /^drift d4 /.test(String(l['reason'])), 40_000, 'a drift re-plan for d4'); // generous: tsx start-up on a loaded 2-core CI machine
    assert.ok(drift);
  });

  it('ignores a capacity message under a foreign key', async () => {
    const coord = procs[0]!;
    const plansBefore = coord.lines.length;
    const c = await connectAsync(broker.url);
    const forged = new Fernet(Fernet.generateKey()).encrypt(JSON.stringify({ device: 'evil', seq: 1, ts: Date.now(), online: true, capacity: { cpu: 100, mem_mb: 1e6, bw_mbps: 1e4 } }));
    await c.publishAsync('wayside/evil/fleet/capacity', forged, { qos: 1, retain: false });
    await c.endAsync();
    const deadline = Date.now() + 3000;
    while (!coord.stderr.includes('rejected wayside/evil/fleet/capacity') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(coord.stderr, /rejected wayside\/evil\/fleet\/capacity: does not open with the fleet key/);
    assert.ok(!coord.lines.slice(plansBefore).some((l) => 'evil' in (l['byNode'] as object)), 'no plan includes the forged node');
  });
});
