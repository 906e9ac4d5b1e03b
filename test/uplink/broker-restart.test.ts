import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { Fernet, MultiFernet } from '../../firmware/uplink/fernet.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { brokerForSuite } from '../helpers/mosquitto.js';
import { TestConsumer, range } from './consumer.js';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('uplink through a broker restart (real Mosquitto)', () => {
  const suite = brokerForSuite('wayside-uplink-', { persistence: true });

  it('loses no message and delivers them in seq order when the broker restarts mid-run', async (t) => {
    const ring = new MultiFernet([Fernet.generateKey()]);
    const device = 'cab-restart';
    const consumer = await TestConsumer.connect(suite.broker.url, ring);
    const up = await Uplink.open({
      device,
      broker: suite.broker.url,
      ring,
      outboxPath: join(suite.dir, 'outbox.sqlite'),
      reconnectMs: 100,
      clock: new VirtualClock(),
      maxInflight: 8,
    });
    try {
      assert.ok(await up.waitConnected(), 'device connects');
      const total = 240;
      let queuedWhileDown = 0;
      let restart: Promise<void> | undefined;
      for (let i = 1; i <= total; i++) {
        if (i % 6 === 0) {
          up.addSample('cabinet.temp_c', i, 20 + (i % 7), 0.1);
          assert.equal(up.flush(), i);
        } else {
          assert.equal(up.publishAlert({ type: 'test', i }), i);
        }
        if (!up.stats().connected) queuedWhileDown++;
        if (i === 80) restart = suite.broker.restart();
        await tick(i % 4 === 0 ? 2 : 0);
      }
      await restart;
      t.diagnostic(`queued while down: ${queuedWhileDown}`);
      assert.ok(queuedWhileDown > 0, 'some messages were produced while the broker was down');
      assert.ok(await up.drain(30_000), `outbox drained (backlog ${up.stats().backlog})`);
      await consumer.until(() => consumer.seqs(device).length >= total, `${total} messages`);
      assert.deepEqual(consumer.seqs(device), range(total), 'every seq once, in order');
      const kinds = consumer.unique.filter((r) => r.device === device).map((r) => r.kind);
      assert.equal(kinds.filter((k) => k === 'telemetry').length, total / 6);
      t.diagnostic(`received ${consumer.all.length} incl. duplicates/state`);
      assert.equal(consumer.undecryptable.length, 0);
      const s = up.stats();
      assert.equal(s.backlog, 0);
      assert.equal(s.dropped, 0);
      assert.ok(s.sent >= total);
    } finally {
      await up.close();
      await consumer.close();
    }
  });

  it('while the broker is down, a full outbox drops the oldest telemetry, keeps every alert, and counts the drops', async () => {
    const ring = new MultiFernet([Fernet.generateKey()]);
    const device = 'cab-full';
    const consumer = await TestConsumer.connect(suite.broker.url, ring);
    await suite.broker.stop(); // the consumer's persistent session is saved; the device starts offline
    const up = await Uplink.open({
      device,
      broker: suite.broker.url,
      ring,
      outboxPath: join(suite.dir, 'full.sqlite'),
      outboxLimits: { maxMessages: 14, maxBytes: 1 << 20 },
      reconnectMs: 100,
      clock: new VirtualClock(),
    });
    try {
      const alerts: number[] = [];
      const telemetry: number[] = [];
      for (let i = 0; i < 30; i++) {
        if (i % 3 === 0) alerts.push(up.publishAlert({ type: 'fault', i }));
        else {
          up.addSample('supply.v', i, 12 + i / 100);
          telemetry.push(up.flush()!);
        }
      }
      const s = up.stats();
      assert.equal(s.connected, false);
      assert.equal(s.backlog, 14);
      assert.equal(s.dropped_telemetry, 16, '10 alerts + the 4 newest of 20 summaries kept');
      await suite.broker.restart();
      assert.ok(await up.drain(30_000), 'drained after the broker came back');
      const expected = [...alerts, ...telemetry.slice(-4)].sort((a, b) => a - b);
      await consumer.until(() => consumer.seqs(device).length >= 14, '14 messages');
      assert.deepEqual(consumer.seqs(device), expected, 'every alert and the newest telemetry, in seq order');
    } finally {
      await up.close();
      await consumer.close();
    }
  });
});
