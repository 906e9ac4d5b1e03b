import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimI2cBus } from '../../../drivers/backends/sim/i2c.js';
import { Ina219, ina219Calibration } from '../../../drivers/chips/ina219.js';
import { Ina219Model } from '../../../drivers/chips/models/ina219.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { MockI2c, type MockI2cExpectation } from '../../../drivers/mock/mock-i2c.js';
import { settle } from './run-virtual.js';

const ADDR = 0x40;
const CONFIG = 0x00;
const SHUNT = 0x01;
const BUS = 0x02;
const POWER = 0x03;
const CURRENT = 0x04;
const CALIBRATION = 0x05;

const INIT: MockI2cExpectation[] = [
  { op: 'write', addr: ADDR, write: [CONFIG, 0x80, 0x00] }, // reset
  { op: 'writeRead', addr: ADDR, write: [CONFIG], read: [0x39, 0x9f] }, // power-on value
  { op: 'write', addr: ADDR, write: [CONFIG, 0x39, 0x9f] }, // 32 V, 320 mV, 12-bit, continuous
  { op: 'write', addr: ADDR, write: [CALIBRATION, 0x20, 0x00] }, // 8192
];

describe('INA219 calibration', () => {
  it('0.1 Ω and 1.6384 A give Cal 8192, 50 µA and 1 mW per LSB (datasheet 8.5.1 formulas)', () => {
    const c = ina219Calibration(0.1, 1.6384);
    assert.equal(c.cal, 8192);
    assert.ok(Math.abs(c.currentLsbA - 5e-5) < 1e-12);
    assert.ok(Math.abs(c.powerLsbW - 1e-3) < 1e-12);
  });

  it('truncates and clears bit 0, then uses the exact LSB of the truncated value', () => {
    const c = ina219Calibration(0.1, 3.2);
    assert.equal(c.cal, 4194);
    assert.ok(Math.abs(c.currentLsbA - 0.04096 / (4194 * 0.1)) < 1e-15);
  });

  it('rejects a max current the shunt range cannot measure', () => {
    assert.throws(() => new Ina219(new MockI2c([]), { shuntOhms: 0.1, maxCurrentA: 2, shuntRangeMv: 40 }), /200\.0 mV exceeds the 40 mV shunt range/);
  });
});

describe('INA219 over the scripted mock bus', () => {
  it('init resets, checks the power-on config, configures and calibrates; read gives V, V, A, W', async () => {
    const bus = new MockI2c([
      ...INIT,
      { op: 'writeRead', addr: ADDR, write: [BUS], read: [0x5d, 0xc2] }, // 3000 · 4 mV, CNVR
      { op: 'writeRead', addr: ADDR, write: [SHUNT], read: [0x3a, 0x98] }, // 15000 · 10 µV
      { op: 'writeRead', addr: ADDR, write: [CURRENT], read: [0x75, 0x30] }, // 30000 · 50 µA
      { op: 'writeRead', addr: ADDR, write: [POWER], read: [0x46, 0x50] }, // 18000 · 1 mW
    ]);
    const dev = new Ina219(bus, { shuntOhms: 0.1, maxCurrentA: 1.6384 });
    await dev.init();
    const out = new Float64Array(4);
    await dev.sample(out);
    assert.ok(Math.abs(out[0]! - 12) < 1e-9);
    assert.ok(Math.abs(out[1]! - 0.15) < 1e-9);
    assert.ok(Math.abs(out[2]! - 1.5) < 1e-9);
    assert.ok(Math.abs(out[3]! - 18) < 1e-9);
    bus.done();
  });

  it('a config register that is not 0x399F after reset is reported as not an INA219', async () => {
    const bus = new MockI2c([
      { op: 'write', addr: ADDR, write: [CONFIG, 0x80, 0x00] },
      { op: 'writeRead', addr: ADDR, write: [CONFIG], read: [0x00, 0x00] },
    ], 'i2c-1');
    await assert.rejects(new Ina219(bus).init(), /i2c-1 addr 0x40: INA219 config after reset expected 0x399f, found 0x0000/);
    bus.done();
  });
});

describe('INA219 over the register-level model', () => {
  it('measures what the model is given, including reverse current, within an LSB', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Ina219Model({ shuntOhms: 0.05, busV: 11.8, currentA: 2.25 });
    bus.attach(0x41, model);
    const dev = new Ina219(bus, { address: 0x41, shuntOhms: 0.05, maxCurrentA: 4 });
    await settle(clock, dev.init());
    let r = await dev.read();
    assert.ok(Math.abs(r.busV - 11.8) <= 0.004);
    assert.ok(Math.abs(r.shuntV - 0.1125) <= 10e-6);
    assert.ok(Math.abs(r.currentA - 2.25) <= 2 * dev.calibration.currentLsbA);
    assert.ok(Math.abs(r.powerW - 11.8 * 2.25) <= 0.05, `power ${r.powerW}`);
    model.setInput('current_a', -0.5);
    r = await dev.read();
    assert.ok(Math.abs(r.currentA + 0.5) <= 2 * dev.calibration.currentLsbA);
  });

  it('a lamp that draws nothing reads ~0 A; an over-range current flags overflow and samples NaN', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Ina219Model({ busV: 120, currentA: 0 });
    bus.attach(ADDR, model);
    const dev = new Ina219(bus);
    await settle(clock, dev.init());
    const out = new Float64Array(4);
    await dev.sample(out);
    assert.equal(out[2], 0);
    model.setInput('current_a', 5); // 0.5 V across 0.1 Ω, beyond ±320 mV
    await dev.sample(out);
    assert.equal(dev.reading.overflow, true);
    assert.ok(Number.isNaN(out[2]!));
  });
});
