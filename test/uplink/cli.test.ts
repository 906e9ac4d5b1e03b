import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { Fernet } from '../../firmware/uplink/fernet.js';
import { readKeyRing, writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { topicOf } from '../../firmware/uplink/topics.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { Mosquitto } from '../helpers/mosquitto.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `wayside ARGS`; `onStderr` sees stderr as it comes (to know when tail is subscribed). */
function wayside(args: string[], onStderr?: (all: string) => void): Promise<Run> {
  return new Promise((resolvePromise) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'firmware/cli/main.ts'), ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr);
    });
    p.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('wayside keys generate', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wayside-keys-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a Python-compatible key with mode 0600, refuses to overwrite without --force', async () => {
    const file = join(dir, 'fleet.key');
    const first = await wayside(['keys', 'generate', file, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { file, mode: '0600' });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const key = (await readFile(file, 'utf8')).trim();
    assert.match(key, /^[A-Za-z0-9_-]{43}=$/);
    assert.ok(!first.stdout.includes(key), 'the key is never printed');
    new Fernet(key); // a valid key

    const again = await wayside(['keys', 'generate', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; use --force/);
    assert.equal((await readFile(file, 'utf8')).trim(), key, 'the old key is untouched');

    await writeFile(join(dir, 'loose.key'), 'x', { mode: 0o644 });
    const forced = await wayside(['keys', 'generate', join(dir, 'loose.key'), '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await stat(join(dir, 'loose.key'))).mode & 0o777, 0o600, '--force also tightens the mode');
  });
});

describe('wayside uplink tail / send-command (real Mosquitto)', () => {
  let broker: Mosquitto;
  let dir: string;
  let keyFile: string;
  let up: Uplink;
  const device = 'cab-cli';

  before(async () => {
    broker = await Mosquitto.start({ persistence: false });
    dir = await mkdtemp(join(tmpdir(), 'wayside-cli-'));
    keyFile = join(dir, 'fleet.key');
    await writeNewKeyFile(keyFile);
    up = await Uplink.open({ device, broker: broker.url, ring: await readKeyRing([keyFile]), outboxPath: join(dir, 'outbox.sqlite'), clock: new VirtualClock() });
    up.onCommand({
      'get-state': () => ({ plan: 2, flash: false }),
      'reset-monitor': () => ({ cleared: false, reason: 'conflict 2+4 still present' }),
    });
    assert.ok(await up.waitConnected());
  });
  after(async () => {
    await up?.close({ drainMs: 0 });
    await broker?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('tail prints decrypted messages as JSON, skips duplicates and reports a gap in seq', async () => {
    const ring = await readKeyRing([keyFile]);
    let ready!: () => void;
    const subscribed = new Promise<void>((r) => (ready = r));
    const tail = wayside(['uplink', 'tail', '--mqtt', broker.url, '--key', keyFile, '--json', '--count', '5', '--duration', '60'], (err) => {
      if (err.includes('subscribed')) ready();
    });
    await subscribed;
    const a = up.publishAlert({ type: 'door-open' });
    up.addSample('cabinet.temp_c', 0, 31.5, 0.2);
    const b = up.flush()!;
    assert.ok(await up.drain());
    // A duplicate of b (as after a reconnect), then a message from further ahead: a gap.
    const raw = await mqtt.connectAsync(broker.url);
    const forged = (seq: number): string => ring.encrypt(JSON.stringify({ device, seq, ts: Date.now(), kind: 'alert', type: 'x' }));
    await raw.publishAsync(topicOf(device, 'alerts'), forged(b), { qos: 1 });
    await raw.publishAsync(topicOf(device, 'alerts'), forged(b + 3), { qos: 1 });
    await raw.publishAsync(topicOf(device, 'alerts'), forged(b + 4), { qos: 1 });
    await raw.endAsync();
    const r = await tail;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const msgs = lines.filter((l) => l.type === 'message' && l.kind !== 'state');
    assert.deepEqual(msgs.map((m) => m.seq), [a, b, b + 3, b + 4]);
    assert.equal((msgs[0]!.message as { type: string }).type, 'door-open');
    assert.deepEqual((msgs[1]!.message as { streams: Record<string, { last: number }> }).streams['cabinet.temp_c']!.last, 31.5);
    assert.deepEqual(lines.filter((l) => l.type === 'gap'), [{ type: 'gap', device, from: b + 1, to: b + 2 }]);
  });

  it('send-command prints the ack and exits 0; an error ack exits 1; no ack exits 3', async () => {
    const ok = await wayside(['uplink', 'send-command', '--mqtt', broker.url, '--key', keyFile, '--device', device, 'get-state', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const ack = JSON.parse(ok.stdout) as { ok: boolean; result: unknown };
    assert.equal(ack.ok, true);
    assert.deepEqual(ack.result, { plan: 2, flash: false });

    const refused = await wayside(['uplink', 'send-command', '--mqtt', broker.url, '--key', keyFile, '--device', device, 'reset-monitor']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refused reset-monitor: refused: flash kept latched: conflict 2\+4 still present/);

    const unknown = await wayside(['uplink', 'send-command', '--mqtt', broker.url, '--key', keyFile, '--device', device, 'reboot']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not-allowed/);

    const nobody = await wayside(['uplink', 'send-command', '--mqtt', broker.url, '--key', keyFile, '--device', 'cab-absent', '--timeout', '1', 'get-state']);
    assert.equal(nobody.code, 3);
    assert.match(nobody.stderr, /cab-absent is not online within 1000 ms \(it has published no state readable with these keys\); get-state not sent/);
  });
});
