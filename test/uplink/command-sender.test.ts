import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import mqtt from 'mqtt';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { CommandTimeout, sendCommand } from '../../firmware/uplink/command-sender.js';
import { Fernet, MultiFernet } from '../../firmware/uplink/fernet.js';
import { topicOf } from '../../firmware/uplink/topics.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { brokerForSuite } from '../helpers/mosquitto.js';

/**
 * The operator's sender publishes a command only once the device's retained state reads
 * online (the device subscribes before it says so): a command to a device still starting is
 * delivered, not dropped by the broker for want of a subscriber.
 */
describe('sendCommand waits for the device to be online (real Mosquitto)', () => {
  const ring = new MultiFernet([Fernet.generateKey()]);
  const suite = brokerForSuite('wayside-sender-', { persistence: false });

  const open = (device: string) =>
    Uplink.open({ device, broker: suite.broker.url, ring, outboxPath: join(suite.dir, `${device}.sqlite`), clock: new VirtualClock(), reconnectMs: 200 });

  it('a command sent before the device has connected is delivered once it has', async () => {
    const sent = sendCommand({ broker: suite.broker.url, ring, device: 'late', cmd: 'get-state', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 700)); // the sender is connected and waiting by now
    const up = await open('late');
    up.onCommand({ 'get-state': () => ({ plan: 2 }) });
    try {
      const ack = await sent;
      assert.equal(ack.ok, true, ack.error);
      assert.deepEqual(ack.result, { plan: 2 });
    } finally {
      await up.close({ drainMs: 0 });
    }
  });

  it('a device that never came online: the timeout says so, and nothing is published to it', async () => {
    const spy = await mqtt.connectAsync(suite.broker.url, { clientId: 'spy' });
    const seen: string[] = [];
    spy.on('message', (t) => seen.push(t));
    await spy.subscribeAsync(topicOf('ghost', 'cmd'), { qos: 1 });
    try {
      await assert.rejects(
        sendCommand({ broker: suite.broker.url, ring, device: 'ghost', cmd: 'get-state', timeoutMs: 800 }),
        (e: Error) => e instanceof CommandTimeout && /ghost is not online within 800 ms \(it has published no state readable with these keys\); get-state not sent/.test(e.message),
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(seen, []);
    } finally {
      await spy.endAsync(true);
    }
  });

  it('a device that went offline: the timeout gives its last state', async () => {
    const up = await open('gone');
    assert.ok(await up.waitConnected());
    await up.close({ drainMs: 0 });
    await assert.rejects(
      sendCommand({ broker: suite.broker.url, ring, device: 'gone', cmd: 'get-state', timeoutMs: 800 }),
      /gone is not online within 800 ms \(its last state is offline, at \d{4}-\d\d-\d\dT/,
    );
  });
});
