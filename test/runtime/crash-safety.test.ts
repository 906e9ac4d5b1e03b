import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import mqtt from 'mqtt';
import { readKeyRing, writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { topicOf } from '../../firmware/uplink/topics.js';
import { Mosquitto } from '../helpers/mosquitto.js';

/**
 * `wayside run` as a process, with a stray bug in it. A preload module stands for the bug and
 * records, independently of the runtime, every electrical change of the simulated lamp outputs
 * (SimGpio's output listener) to a file with synchronous writes: the record is complete up to
 * the moment the process exits. The bug fires 300 ms (with the uplink: 3 s) after the first
 * green lights, so a green is on when it strikes.
 */
const ROOT = join(import.meta.dirname, '..', '..');

interface Change {
  pin: number;
  level: number;
}

async function crashRun(trigger: 'throw' | 'reject', extraArgs: (dir: string) => string[] = () => [], delayMs = 300) {
  const dir = mkdtempSync(join(tmpdir(), 'wayside-crash-'));
  const record = join(dir, 'outputs.log');
  const events = join(dir, 'events.jsonl');
  const site = parse(readFileSync(join(ROOT, 'firmware/sites/demo.yaml'), 'utf8'));
  site.controller = { ...(site.controller ?? {}), startup_flash_s: 1, startup_red_s: 1 };
  site.status = { ...(site.status ?? {}), event_log: events };
  const siteFile = join(dir, 'site.yaml');
  writeFileSync(siteFile, stringify(site));
  const greens = Object.values(site.lamps.phases as Record<string, { green: number }>).map((h) => h.green);
  const bug = trigger === 'throw' ? "throw new Error('stray bug in another part of the process')" : "Promise.reject(new Error('stray rejection in another part of the process'))";
  const preload = join(dir, 'stray-bug.mjs');
  writeFileSync(
    preload,
    `import { openSync, writeSync } from 'node:fs';
const { SimGpio } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'drivers/backends/sim/gpio.ts')).href)});
const fd = openSync(${JSON.stringify(record)}, 'a');
const greens = new Set(${JSON.stringify(greens)});
const output = SimGpio.prototype.output;
let armed = false;
SimGpio.prototype.output = function (...args) {
  if (!this.__recorded) {
    this.__recorded = true;
    this.onOutput((pin, level) => {
      writeSync(fd, pin + ' ' + level + '\\n');
      if (!armed && level === 1 && greens.has(pin)) {
        armed = true;
        setTimeout(() => { writeSync(fd, 'CRASH\\n'); ${bug}; }, ${delayMs});
      }
    });
  }
  return output.apply(this, args);
};
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', preload, 'firmware/cli/main.ts', 'run', '--board', 'sim', '--site', siteFile, '--status', '127.0.0.1:0', ...extraArgs(dir)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearTimeout(guard);
  const lines = readFileSync(record, 'utf8').trim().split('\n');
  const at = lines.indexOf('CRASH');
  const parseLine = (l: string): Change => {
    const [pin, level] = l.split(' ').map(Number);
    return { pin: pin!, level: level! };
  };
  const before = lines.slice(0, Math.max(0, at)).map(parseLine);
  const after = lines.slice(at + 1).map(parseLine);
  const log = readFileSync(events, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; source: string; message: string });
  return { code, stdout, stderr, at, before, after, log, lamps: site.lamps.phases as Record<string, { red: number; yellow: number; green: number }> };
}

function assertFlashedRed(r: Awaited<ReturnType<typeof crashRun>>, what: RegExp, greenAtCrash = true): void {
  const out = `${r.stdout}\n${r.stderr}`.slice(-1500);
  assert.ok(r.at > 0, `the stray bug fired after a green lit:\n${out}`);
  assert.notEqual(r.code, 0, `non-zero exit:\n${out}`);
  assert.equal(r.code, 70, out);
  assert.match(r.stderr, what, 'the error is on stderr');
  // Level of every pin at the moment of the crash.
  const level = new Map<number, number>();
  for (const c of r.before) level.set(c.pin, c.level);
  const heads = Object.values(r.lamps);
  if (greenAtCrash) assert.ok(heads.some((h) => level.get(h.green) === 1), 'a green was lit when the bug struck');
  // After it: no green or yellow ever lit again, each red flashes (on and off), every green and yellow ends dark.
  for (const c of r.after) {
    for (const h of heads) {
      assert.ok(!((c.pin === h.green || c.pin === h.yellow) && c.level === 1), `pin ${c.pin} (green/yellow) lit after the crash`);
    }
    level.set(c.pin, c.level);
  }
  for (const h of heads) {
    assert.equal(level.get(h.green) ?? 0, 0, `green ${h.green} dark at exit`);
    assert.equal(level.get(h.yellow) ?? 0, 0, `yellow ${h.yellow} dark at exit`);
    const reds = new Set(r.after.filter((c) => c.pin === h.red).map((c) => c.level));
    assert.deepEqual([...reds].sort(), [0, 1], `red ${h.red} flashed (went on and off) before exit`);
  }
  // The event log has the crash as a fault, and nothing turned a lamp on after it.
  const i = r.log.findIndex((e) => e.kind === 'fault' && e.source === 'crash');
  assert.ok(i >= 0, `a crash fault in the event log: ${JSON.stringify(r.log.slice(-5))}`);
  assert.match(r.log[i]!.message, what);
  assert.deepEqual(
    r.log.slice(i + 1).filter((e) => e.kind === 'phase'),
    [],
    'no phase change logged after the crash',
  );
}

describe('wayside run: a stray fatal error ends in all-red flash', () => {
  it('uncaught exception: every head flashes red, no green or yellow, then exit 70', async () => {
    const r = await crashRun('throw');
    assertFlashedRed(r, /uncaught exception: (Error: )?stray bug/);
    assert.match(r.stdout, /stopping \(crash: .*\): lamps to all-red flash/);
  });

  it('unhandled rejection: the same', async () => {
    const r = await crashRun('reject');
    assertFlashedRed(r, /unhandled rejection: (Error: )?stray rejection/);
  });

  it('with the uplink up, the crash also goes out as an alert before exit', async () => {
    const broker = await Mosquitto.start({ persistence: false });
    const keyDir = mkdtempSync(join(tmpdir(), 'wayside-crash-key-'));
    const keyFile = join(keyDir, 'fleet.key');
    await writeNewKeyFile(keyFile);
    const ring = await readKeyRing([keyFile]);
    const client = await mqtt.connectAsync(broker.url, { clientId: 'crash-alerts' });
    const alerts: { source?: string; message?: string }[] = [];
    client.on('message', (_t, payload) => alerts.push(JSON.parse(ring.decrypt(payload.toString()).toString())));
    await client.subscribeAsync(topicOf('demo-001', 'alerts'), { qos: 1 });
    try {
      const r = await crashRun('throw', (dir) => ['--mqtt', broker.url, '--key', keyFile, '--outbox', join(dir, 'outbox.sqlite')], 3000); // the uplink is up by then
      assertFlashedRed(r, /uncaught exception: (Error: )?stray bug/, false); // 3 s on, the cycle may be in a clearance
      for (let i = 0; i < 20 && !alerts.some((a) => a.source === 'crash'); i++) await new Promise((res) => setTimeout(res, 100));
      const a = alerts.find((x) => x.source === 'crash');
      assert.ok(a, `the crash alert reached the broker: ${JSON.stringify(alerts)}`);
      assert.match(a.message ?? '', /stray bug/);
    } finally {
      await client.endAsync(true);
      await broker.dispose();
    }
  });
});
