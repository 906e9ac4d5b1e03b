import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { uplinkSection } from '../../firmware/site/sections/uplink.js';
import { Fernet, MultiFernet } from '../../firmware/uplink/fernet.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { brokerForSuite } from '../helpers/mosquitto.js';
import { TestConsumer } from './consumer.js';

/**
 * The streams of firmware/sites/demo.yaml at their configured rates (samples per second):
 * BME280 1 Hz (3 quantities), two INA219 at 10 Hz (bus volts, current), MPU-6050 at 100 Hz
 * (6 axes), ADS1115 at 8 Hz.
 */
const DEMO_STREAMS: [string, number][] = [
  ['cabinet.temp_c', 1], ['cabinet.humidity', 1], ['cabinet.pressure_hpa', 1],
  ['lamps-2.bus_v', 10], ['lamps-2.current_a', 10], ['lamps-4.bus_v', 10], ['lamps-4.current_a', 10],
  ['pole.ax', 100], ['pole.ay', 100], ['pole.az', 100], ['pole.gx', 100], ['pole.gy', 100], ['pole.gz', 100],
  ['supply.v', 8],
];

describe('uplink bandwidth at default settings (real Mosquitto)', () => {
  const suite = brokerForSuite('wayside-bw-', { persistence: false });

  it('uplinks under 1 % of the raw sample bytes of the demo site, and every alert', async (t) => {
    const defaults = uplinkSection.parse({ broker: suite.broker.url });
    const ring = new MultiFernet([Fernet.generateKey()]);
    const clock = new VirtualClock();
    const consumer = await TestConsumer.connect(suite.broker.url, ring);
    const up = await Uplink.open({
      device: 'cab-bw',
      broker: suite.broker.url,
      ring,
      outboxPath: join(suite.dir, 'outbox.sqlite'),
      clock,
      telemetryIntervalMs: defaults.telemetry_interval_s * 1000,
    });
    try {
      assert.ok(await up.waitConnected());
      const minutes = 10;
      const alerts: number[] = [];
      for (let s = 0; s < minutes * 60; s++) {
        for (const [name, hz] of DEMO_STREAMS) {
          for (let k = 0; k < hz; k++) up.addSample(name, s * 1000 + (k * 1000) / hz, Math.sin(s + k / hz), 0.1);
        }
        if (s % 97 === 0) alerts.push(up.publishAlert({ type: 'anomaly', stream: 'pole.az', score: 0.97, at_s: s }));
        clock.advance(1000); // the 60 s telemetry timer fires on this clock
        if (s % 60 === 59) await new Promise((r) => setImmediate(r));
      }
      assert.ok(await up.drain(20_000));
      await consumer.until(() => alerts.every((a) => consumer.seqs('cab-bw').includes(a)), 'every alert');
      const telemetry = consumer.unique.filter((r) => r.kind === 'telemetry');
      assert.equal(telemetry.length, minutes, 'one summary per 60 s interval');
      const st = up.stats();
      t.diagnostic(`raw ${st.raw_bytes} B (${st.raw_samples} samples), uplinked ${st.uplinked_bytes} B, reduction ${(st.reduction * 100).toFixed(2)} %`);
      assert.equal(st.raw_samples, minutes * 60 * DEMO_STREAMS.reduce((a, [, hz]) => a + hz, 0));
      assert.ok(st.reduction >= 0.99, `reduction ${st.reduction}`);
      assert.equal(st.dropped, 0);
    } finally {
      await up.close();
      await consumer.close();
    }
  });
});
