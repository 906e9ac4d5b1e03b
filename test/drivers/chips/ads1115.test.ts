import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimI2cBus, type SimI2cDevice } from '../../../drivers/backends/sim/i2c.js';
import { Ads1115 } from '../../../drivers/chips/ads1115.js';
import { Ads1115Model } from '../../../drivers/chips/models/ads1115.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import { MockI2c } from '../../../drivers/mock/mock-i2c.js';
import { settle } from './run-virtual.js';

const ADDR = 0x48;
const CONVERSION = 0x00;
const CONFIG = 0x01;

describe('ADS1115 over the scripted mock bus', () => {
  it('init writes the power-on configuration and checks it reads back', async () => {
    const bus = new MockI2c([
      { op: 'write', addr: ADDR, write: [CONFIG, 0x05, 0x83] }, // 0x8583 without the OS start bit
      { op: 'writeRead', addr: ADDR, write: [CONFIG], read: [0x85, 0x83] },
    ]);
    const dev = new Ads1115(bus, { clock: new VirtualClock() });
    await dev.init();
    assert.deepEqual(dev.config, { mode: 'single-shot', mux: 'ain0-ain1', fullScaleV: 2.048, dataRateSps: 128 });
    bus.done();
  });

  it('single-shot: starts with OS, waits a conversion time, polls OS until done, ±4.096 V is 125 µV/LSB', async () => {
    const clock = new VirtualClock();
    const bus = new MockI2c([
      { op: 'write', addr: ADDR, write: [CONFIG, 0x43, 0x83] }, // mux ain0/GND, ±4.096 V, single-shot, 128 SPS
      { op: 'writeRead', addr: ADDR, write: [CONFIG], read: [0xc3, 0x83] },
      { op: 'write', addr: ADDR, write: [CONFIG, 0xc3, 0x83] }, // OS: start
      { op: 'writeRead', addr: ADDR, write: [CONFIG], read: [0x43, 0x83] }, // OS 0: converting
      { op: 'writeRead', addr: ADDR, write: [CONFIG], read: [0xc3, 0x83] }, // OS 1: done
      { op: 'writeRead', addr: ADDR, write: [CONVERSION], read: [0x20, 0x00] }, // 8192 LSB
    ]);
    const dev = new Ads1115(bus, { clock, mux: 'ain0', fullScaleV: 4.096 });
    await settle(clock, dev.init());
    assert.equal(dev.lsbV, 125e-6);
    const t0 = clock.now();
    const v = await settle(clock, dev.readSingleShot());
    assert.equal(v, 1.024);
    assert.ok(clock.now() - t0 >= 8, 'waited at least one conversion (1/128 s) on the clock');
    bus.done();
  });

  it('a failed mode change leaves the cached config unchanged', async () => {
    const bus = new MockI2c([{ op: 'write', addr: ADDR, write: [CONFIG, 0x04, 0x83], error: 'noAck' }]);
    const dev = new Ads1115(bus, { clock: new VirtualClock() });
    await assert.rejects(dev.setMode('continuous'), (e: unknown) => e instanceof HalError && e.kind === 'noAck');
    assert.equal(dev.config.mode, 'single-shot');
    bus.done();
  });

  it('a config that does not stick says it may not be an ADS1115', async () => {
    const bus = new MockI2c([
      { op: 'write', addr: ADDR, write: [CONFIG, 0x05, 0x83] },
      { op: 'writeRead', addr: ADDR, write: [CONFIG], read: [0xff, 0xff] },
    ], 'i2c-1');
    await assert.rejects(new Ads1115(bus, { clock: new VirtualClock() }).init(), /i2c-1 addr 0x48 ADS1115: config reads back 0xffff, wrote 0x0583: not an ADS1115\?/);
    bus.done();
  });
});

describe('ADS1115 over the register-level model', () => {
  it('scans single-ended and differential channels and returns volts within one LSB', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Ads1115Model({ clock, volts: [1.5, 0.25, 2.0, 2.5] });
    bus.attach(ADDR, model);
    const dev = new Ads1115(bus, { clock, channels: ['ain0', 'ain1', 'ain2-ain3'], fullScaleV: 4.096, dataRateSps: 860 });
    assert.deepEqual(dev.channels, ['ain0_v', 'ain1_v', 'ain2_ain3_v']);
    await settle(clock, dev.init());
    const out = new Float64Array(3);
    await settle(clock, dev.sample(out));
    assert.ok(Math.abs(out[0]! - 1.5) <= 125e-6);
    assert.ok(Math.abs(out[1]! - 0.25) <= 125e-6);
    assert.ok(Math.abs(out[2]! + 0.5) <= 125e-6);
    assert.equal(model.conversions, 3);
  });

  it('waits on the OS bit for the model’s conversion time, and clips at full scale', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.recording = [];
    bus.attach(ADDR, new Ads1115Model({ clock, volts: [5, 0, 0, 0] }));
    const dev = new Ads1115(bus, { clock, mux: 'ain0', dataRateSps: 8 });
    await settle(clock, dev.init());
    const t0 = clock.now();
    const v = await settle(clock, dev.readSingleShot());
    assert.equal(v, 2.048 * (32767 / 32768));
    assert.ok(clock.now() - t0 >= 125, 'an 8 SPS conversion takes 125 ms');
  });

  it('continuous mode reads the latest conversion without writing', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Ads1115Model({ clock, volts: [0, 0, 0, 0.5] });
    bus.attach(ADDR, model);
    const dev = new Ads1115(bus, { clock, mode: 'continuous', mux: 'ain3' });
    await settle(clock, dev.init());
    assert.equal(dev.sampleIsReadOnly, true);
    assert.ok(Math.abs((await dev.readContinuous()) - 0.5) < 1e-4);
    model.setInput('ain3_v', 1.25);
    assert.ok(Math.abs((await dev.readContinuous()) - 1.25) < 1e-4);
  });

  it('gives up with a timeout when the OS bit never comes back, within a bounded time', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const stuck: SimI2cDevice = { write() {}, read(into) { into.fill(0); } }; // config reads OS = 0 forever
    bus.attach(ADDR, stuck);
    const dev = new Ads1115(bus, { clock, dataRateSps: 128 });
    const t0 = clock.now();
    await assert.rejects(settle(clock, dev.readSingleShot()), (e: unknown) => e instanceof HalError && e.kind === 'timeout' && /OS bit/.test(e.message));
    assert.ok(clock.now() - t0 <= 2 * 8 + 3, `gave up after ${clock.now() - t0} ms`);
  });

  it('refuses to scan several channels in continuous mode', () => {
    assert.throws(() => new Ads1115(new MockI2c([]), { mode: 'continuous', channels: ['ain0', 'ain1'] }), /needs mode single-shot/);
  });
});
