import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { makeCommandToken, sendCommand } from '../../firmware/uplink/command-sender.js';
import { Fernet, MultiFernet } from '../../firmware/uplink/fernet.js';
import type { AckMessage } from '../../firmware/uplink/messages.js';
import { topicOf } from '../../firmware/uplink/topics.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { Mosquitto } from '../helpers/mosquitto.js';

/**
 * Remote commands end to end through a real broker: the device executes only authentic,
 * fresh, first-seen, allow-listed commands addressed to it; everything else is answered with
 * an error ack, counted, and never reaches a handler.
 */
describe('uplink commands (real Mosquitto)', () => {
  const device = 'cab-cmd';
  const ring = new MultiFernet([Fernet.generateKey()]);
  let broker: Mosquitto;
  let dir: string;
  let up: Uplink;
  let operator: MqttClient;
  const acks = new Map<string | null, AckMessage[]>();
  const calls: string[] = [];
  let faultPresent = true;
  /** The device's wall clock: real time, except while a test freezes it. */
  let frozenWallMs: number | undefined;

  before(async () => {
    broker = await Mosquitto.start({ persistence: false });
    dir = await mkdtemp(join(tmpdir(), 'wayside-cmd-'));
    up = await Uplink.open({ device, broker: broker.url, ring, outboxPath: join(dir, 'outbox.sqlite'), clock: new VirtualClock(), reconnectMs: 200, wallClockMs: () => frozenWallMs ?? Date.now() });
    up.onCommand({
      'get-state': () => {
        calls.push('get-state');
        return { plan: 1, flash: faultPresent };
      },
      'set-plan': (a) => {
        calls.push(`set-plan ${a.plan}`);
        return { plan: a.plan };
      },
      'reset-monitor': () => {
        calls.push('reset-monitor');
        return faultPresent ? { cleared: false, reason: 'conflict 2+4 still present' } : { cleared: true };
      },
      retrain: () => {
        calls.push('retrain');
        throw new Error('no model loaded');
      },
    });
    assert.ok(await up.waitConnected());
    operator = await mqtt.connectAsync(broker.url, { clientId: 'operator' });
    operator.on('message', (_t, payload) => {
      const m = JSON.parse(ring.decrypt(payload.toString()).toString()) as AckMessage;
      acks.set(m.command_id, [...(acks.get(m.command_id) ?? []), m]);
    });
    await operator.subscribeAsync(topicOf(device, 'ack'), { qos: 1 });
  });

  after(async () => {
    await operator?.endAsync(true);
    await up?.close({ drainMs: 0 });
    await broker?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function publish(token: string): Promise<void> {
    await operator.publishAsync(topicOf(device, 'cmd'), token, { qos: 1 });
  }

  async function ackFor(id: string | null, n = 1): Promise<AckMessage[]> {
    for (let i = 0; i < 400 && (acks.get(id)?.length ?? 0) < n; i++) await new Promise((r) => setTimeout(r, 25));
    const got = acks.get(id) ?? [];
    assert.ok(got.length >= n, `expected ${n} ack(s) for ${id}, got ${got.length}`);
    return got;
  }

  it('runs an authentic, fresh, allow-listed command and acks its result', async () => {
    const ack = await sendCommand({ broker: broker.url, ring, device, cmd: 'set-plan', args: { plan: 3 }, timeoutMs: 10_000 });
    assert.equal(ack.ok, true);
    assert.deepEqual(ack.result, { plan: 3 });
    assert.ok(calls.includes('set-plan 3'));
    assert.equal(typeof ack.seq, 'number');
  });

  it('rejects a forged command (signed with an unknown key) with an error ack, never executing it', async () => {
    const before = calls.length;
    const forged = makeCommandToken(new MultiFernet([Fernet.generateKey()]), device, 'get-state');
    await publish(forged.token);
    const [ack] = await ackFor(null);
    assert.equal(ack!.ok, false);
    assert.match(ack!.error!, /^forged/);
    await publish('not a token at all');
    await ackFor(null, 2);
    assert.equal(calls.length, before);
  });

  it('rejects a replayed command: the second copy of the same token is refused', async () => {
    const cmd = makeCommandToken(ring, device, 'get-state');
    await publish(cmd.token);
    await publish(cmd.token);
    const got = await ackFor(cmd.id, 2);
    assert.deepEqual(got.map((a) => a.ok), [true, false]);
    assert.match(got[1]!.error!, /^replayed/);
    assert.equal(calls.filter((c) => c === 'get-state').length, 1);
  });

  it('rejects an expired command (older than the 30 s TTL) and one from the far future', async () => {
    const old = makeCommandToken(ring, device, 'set-plan', { plan: 9 }, { nowS: Math.floor(Date.now() / 1000) - 31 });
    const future = makeCommandToken(ring, device, 'set-plan', { plan: 9 }, { nowS: Math.floor(Date.now() / 1000) + 3600 });
    await publish(old.token);
    await publish(future.token);
    assert.match((await ackFor(old.id))[0]!.error!, /^expired/);
    assert.match((await ackFor(future.id))[0]!.error!, /^future/);
    assert.ok(!calls.includes('set-plan 9'));
  });

  it('rejects unknown commands, bad arguments and commands for another device', async () => {
    const unknown = makeCommandToken(ring, device, 'format-disk');
    const badArgs = makeCommandToken(ring, device, 'set-plan', { plan: 1, extra: true });
    const other = makeCommandToken(ring, 'cab-other', 'get-state');
    for (const c of [unknown, badArgs, other]) await publish(c.token);
    assert.match((await ackFor(unknown.id))[0]!.error!, /^not-allowed/);
    assert.match((await ackFor(badArgs.id))[0]!.error!, /^bad-args/);
    assert.match((await ackFor(other.id))[0]!.error!, /^wrong-device/);
  });

  it('reset-monitor clears the latched flash only when the local fault is gone', async () => {
    const refused = await sendCommand({ broker: broker.url, ring, device, cmd: 'reset-monitor', timeoutMs: 10_000 });
    assert.equal(refused.ok, false);
    assert.match(refused.error!, /still present/);
    faultPresent = false;
    const cleared = await sendCommand({ broker: broker.url, ring, device, cmd: 'reset-monitor', timeoutMs: 10_000 });
    assert.equal(cleared.ok, true);
    assert.deepEqual(cleared.result, { cleared: true });
  });

  it('a handler that throws is answered with a failed ack', async () => {
    const ack = await sendCommand({ broker: broker.url, ring, device, cmd: 'retrain', timeoutMs: 10_000 });
    assert.equal(ack.ok, false);
    assert.match(ack.error!, /^failed: no model loaded/);
  });

  it('answers a flood of forged commands at most 10 times a second, counting them all', async () => {
    const s0 = up.stats();
    frozenWallMs = Date.now() + 5_000; // one wall-clock second that nothing else has used
    try {
      const junk = Array.from({ length: 40 }, (_, i) => makeCommandToken(new MultiFernet([Fernet.generateKey()]), device, `junk-${i}`).token);
      for (const t of junk) await publish(t);
      // Wait until every one of them has been counted (a condition, not a delay).
      for (let i = 0; i < 400 && up.stats().rejected_by_reason.forged! < s0.rejected_by_reason.forged! + 40; i++) await new Promise((r) => setTimeout(r, 25));
    } finally {
      frozenWallMs = undefined;
    }
    const s1 = up.stats();
    assert.equal(s1.rejected_by_reason.forged, s0.rejected_by_reason.forged! + 40);
    assert.equal(s1.unanswered_rejects - s0.unanswered_rejects, 30);
    await ackFor(null, 2 + 10);
  });

  it('counts every rejection by reason', () => {
    const s = up.stats();
    assert.deepEqual(s.rejected_by_reason, { forged: 42, replayed: 1, expired: 1, future: 1, 'not-allowed': 1, 'bad-args': 1, 'wrong-device': 1, failed: 1 });
    assert.equal(s.rejected_commands, 48);
    assert.equal(s.accepted_commands, 4);
  });
});
