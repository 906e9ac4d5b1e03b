import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { open } from '../../../drivers/backends/firmata/index.js';
import { Ads1115 } from '../../../drivers/chips/ads1115.js';
import { Bme280 } from '../../../drivers/chips/bme280.js';
import { Ina219 } from '../../../drivers/chips/ina219.js';
import { Ads1115Model } from '../../../drivers/chips/models/ads1115.js';
import { Bme280Model } from '../../../drivers/chips/models/bme280.js';
import { Ina219Model } from '../../../drivers/chips/models/ina219.js';
import { Mpu6050Model } from '../../../drivers/chips/models/mpu6050.js';
import { Mpu6050 } from '../../../drivers/chips/mpu6050.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { Sensor } from '../../../drivers/sampling/sensor.js';
import { mockFirmataBoard } from '../backends/firmata-mock-io.js';
import { settle } from './run-virtual.js';

/**
 * The same driver classes, unchanged, over johnny-five's `io` (mock-firmata) through the
 * Firmata backend's I2cBus: i2cWrite for register writes, i2cReadOnce(addr, reg, n) for
 * register reads, with the chip models answering behind the mock board.
 */
async function rig() {
  const clock = new VirtualClock();
  const m = mockFirmataBoard();
  const { i2c } = await open({ clock, firmata: { io: m.io } });
  const bus = await i2c.bus(0);
  return { clock, m, bus };
}

describe('chip drivers over mock-firmata (johnny-five io)', () => {
  it('BME280: init (id, reset, calibration) and a forced read return the model’s values', async () => {
    const { clock, m, bus } = await rig();
    m.attachI2c(0x76, new Bme280Model({ temperatureC: 23.41, pressurePa: 100200, humidityPct: 35 }));
    const dev = new Bme280(bus, { clock });
    await settle(clock, dev.init());
    const r = await settle(clock, dev.read());
    assert.equal(r.temperatureC, 23.41);
    assert.ok(Math.abs(r.pressurePa - 100200) < 0.5);
    assert.ok(Math.abs(r.humidityPct - 35) < 0.05);
    assert.deepEqual(m.i2cLog[0], { kind: 'read', address: 0x76, register: 0xd0, bytes: [] });
    assert.deepEqual(m.i2cLog[1], { kind: 'write', address: 0x76, register: null, bytes: [0xe0, 0xb6] });
  });

  it('ADS1115: single-shot scan waits on the OS bit through Firmata', async () => {
    const { clock, m, bus } = await rig();
    m.attachI2c(0x48, new Ads1115Model({ clock, volts: [1.1, 2.2, 0, 0] }));
    const dev = new Ads1115(bus, { clock, channels: ['ain0', 'ain1'], fullScaleV: 4.096 });
    await settle(clock, dev.init());
    const out = new Float64Array(2);
    await settle(clock, dev.sample(out));
    assert.ok(Math.abs(out[0]! - 1.1) <= 125e-6);
    assert.ok(Math.abs(out[1]! - 2.2) <= 125e-6);
  });

  it('INA219: calibration and V/A/W readings', async () => {
    const { clock, m, bus } = await rig();
    m.attachI2c(0x40, new Ina219Model({ busV: 12.5, currentA: 0.75 }));
    const dev = new Ina219(bus, { maxCurrentA: 2 });
    await settle(clock, dev.init());
    const r = await settle(clock, dev.read());
    assert.ok(Math.abs(r.busV - 12.5) <= 0.004);
    assert.ok(Math.abs(r.currentA - 0.75) <= 2 * dev.calibration.currentLsbA);
    assert.ok(Math.abs(r.powerW - 12.5 * 0.75) < 0.02);
  });

  it('MPU-6050: wake and a 14-byte burst through one i2cReadOnce', async () => {
    const { clock, m, bus } = await rig();
    const model = new Mpu6050Model({ clock });
    model.accelG.set([0, 0.5, 0.866]);
    m.attachI2c(0x68, model);
    const dev = new Mpu6050(bus);
    await settle(clock, dev.init());
    const r = await settle(clock, dev.read());
    assert.ok(Math.abs(r.accelG[1]! - 0.5) < 1e-3 && Math.abs(r.accelG[2]! - 0.866) < 1e-3);
    const burst = m.i2cLog.filter((l) => l.kind === 'read' && l.register === 0x3b);
    assert.equal(burst.length, 1);
  });

  it('a Firmata board that stops replying: retries, then faulted; replies again: recovered', async () => {
    const { clock, m, bus } = await rig();
    m.attachI2c(0x40, new Ina219Model({ busV: 12, currentA: 1 }));
    const sensor = new Sensor('lamp', new Ina219(bus), clock, { periodMs: 100, policy: { opTimeoutMs: 1000 } });
    assert.equal(await settle(clock, sensor.poll()), true);
    m.silentReads = 2; // two reads lost: the backend times them out, the sensor retries
    assert.equal(await settle(clock, sensor.poll()), true);
    assert.equal(sensor.counters.errors.timeout, 2);
    assert.equal(sensor.counters.retries, 2);
    m.silentReads = 1000;
    assert.equal(await settle(clock, sensor.poll(), 60_000), false);
    assert.equal(sensor.state, 'faulted');
    m.silentReads = 0;
    await settle(clock, new Promise<void>((r) => clock.setTimeout(r, 30_000)), 40_000, 50);
    assert.equal(await settle(clock, sensor.poll()), true);
    assert.equal(sensor.state, 'ok');
  });
});
