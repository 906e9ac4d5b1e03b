import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimI2cBus } from '../../../drivers/backends/sim/i2c.js';
import { Mpu6050 } from '../../../drivers/chips/mpu6050.js';
import { Mpu6050Model } from '../../../drivers/chips/models/mpu6050.js';
import { VibrationRms } from '../../../drivers/chips/vibration-rms.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import { MockI2c, type MockI2cExpectation } from '../../../drivers/mock/mock-i2c.js';
import { settle } from './run-virtual.js';

const ADDR = 0x68;
const WHO_AM_I = 0x75;
const PWR_MGMT_1 = 0x6b;
const SMPLRT_DIV = 0x19;
const CONFIG = 0x1a;
const GYRO_CONFIG = 0x1b;
const ACCEL_CONFIG = 0x1c;
const ACCEL_XOUT_H = 0x3b;

const INIT: MockI2cExpectation[] = [
  { op: 'writeRead', addr: ADDR, write: [WHO_AM_I], read: [0x68] },
  { op: 'write', addr: ADDR, write: [PWR_MGMT_1, 0x00] }, // clear SLEEP, internal oscillator
  { op: 'write', addr: ADDR, write: [SMPLRT_DIV, 0x00] },
  { op: 'write', addr: ADDR, write: [CONFIG, 0x00] },
  { op: 'write', addr: ADDR, write: [GYRO_CONFIG, 0x00] }, // ±250 °/s
  { op: 'write', addr: ADDR, write: [ACCEL_CONFIG, 0x00] }, // ±2 g
];

describe('MPU-6050 over the scripted mock bus', () => {
  it('wakes the chip and decodes one 14-byte burst: ±2 g is 16384 LSB/g, ±250 °/s is 131 LSB/(°/s)', async () => {
    const bus = new MockI2c([
      ...INIT,
      {
        op: 'writeRead', addr: ADDR, write: [ACCEL_XOUT_H],
        read: [0x40, 0x00, 0xc0, 0x00, 0x20, 0x00, 0xf0, 0xb0, 0x00, 0x83, 0xff, 0x7d, 0x00, 0x00],
      },
    ]);
    const dev = new Mpu6050(bus);
    await dev.init();
    const r = await dev.read();
    assert.deepEqual([...r.accelG], [1, -1, 0.5]);
    assert.deepEqual([...r.gyroDps], [1, -1, 0]);
    assert.ok(Math.abs(r.temperatureC - (-3920 / 340 + 36.53)) < 1e-9);
    bus.done();
  });

  it('a wrong WHO_AM_I names bus, address, expected and found id', async () => {
    const bus = new MockI2c([{ op: 'writeRead', addr: ADDR, write: [WHO_AM_I], read: [0x71] }], 'i2c-7');
    await assert.rejects(new Mpu6050(bus).init(), (e: unknown) =>
      e instanceof HalError && e.message === 'i2c-7 addr 0x68: MPU-6050 chip id expected 0x68, found 0x71');
    bus.done();
  });

  it('a failed range change leaves the cached range unchanged', async () => {
    const bus = new MockI2c([
      ...INIT,
      { op: 'write', addr: ADDR, write: [SMPLRT_DIV, 0x00] },
      { op: 'write', addr: ADDR, write: [CONFIG, 0x00] },
      { op: 'write', addr: ADDR, write: [GYRO_CONFIG, 0x00] },
      { op: 'write', addr: ADDR, write: [ACCEL_CONFIG, 0x18], error: 'timeout' },
    ]);
    const dev = new Mpu6050(bus);
    await dev.init();
    await assert.rejects(dev.setAccelRange(16));
    assert.equal(dev.config.accelRangeG, 2);
    assert.equal(dev.accelLsbPerG, 16384);
    bus.done();
  });
});

describe('MPU-6050 over the register-level model', () => {
  it('is asleep at power-on (data stays zero) until init wakes it; ranges scale the readings', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Mpu6050Model({ clock });
    bus.attach(ADDR, model);
    model.accelG.set([0.1, -2.5, 7.9]);
    model.gyroDps.set([100, -1500, 0.5]);
    model.temperatureC = 41;
    const dev = new Mpu6050(bus, { accelRangeG: 8, gyroRangeDps: 2000 });
    assert.equal(model.asleep, true);
    const raw = new Uint8Array(14);
    await bus.transaction(ADDR, [{ kind: 'write', data: Uint8Array.of(ACCEL_XOUT_H) }, { kind: 'read', into: raw }]);
    assert.deepEqual([...raw], new Array(14).fill(0));
    await settle(clock, dev.init());
    assert.equal(model.asleep, false);
    const r = await dev.read();
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(r.accelG[i]! - model.accelG[i]!) <= 1 / 4096, `accel ${i}`);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(r.gyroDps[i]! - model.gyroDps[i]!) <= 1 / 16.375, `gyro ${i}`);
    assert.ok(Math.abs(r.temperatureC - 41) < 0.01);
  });

  it('vibration RMS of a 0.5 g, 25 Hz sine sampled at 1 kHz is 0.5/√2 g; a still chip reads ~0', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Mpu6050Model({ clock });
    bus.attach(ADDR, model);
    const dev = new Mpu6050(bus, { accelRangeG: 4, vibrationWindow: 200 });
    await settle(clock, dev.init());
    const out = new Float64Array(8);
    for (let i = 0; i < 200; i++) {
      await dev.sample(out);
      clock.advance(1);
    }
    assert.ok(out[7]! < 1e-3, `still: ${out[7]}`);
    model.setVibration({ axis: 2, amplitudeG: 0.5, frequencyHz: 25 });
    for (let i = 0; i < 200; i++) {
      await dev.sample(out);
      clock.advance(1);
    }
    assert.ok(Math.abs(out[7]! - 0.5 / Math.SQRT2) < 0.01, `vibration ${out[7]}`);
    assert.ok(Math.abs(dev.vibration.axisRms(2) - 0.5 / Math.SQRT2) < 0.01);
    assert.ok(dev.vibration.axisRms(0) < 1e-3);
  });

  it('a wrong chip id set on the model fails init', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(2, clock);
    const model = new Mpu6050Model();
    model.setChipId(0x98);
    bus.attach(0x69, model);
    await assert.rejects(new Mpu6050(bus, { address: 0x69 }).init(), /sim-i2c-2 addr 0x69: MPU-6050 chip id expected 0x68, found 0x98/);
  });
});

describe('VibrationRms', () => {
  it('matches a from-scratch RMS of the last N samples at every step (O(1) running sums, periodic re-sum)', () => {
    const w = 16;
    const v = new VibrationRms(w);
    const xs: number[][] = [];
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    for (let i = 0; i < 100; i++) {
      const s = [rnd(), rnd(), 1 + rnd()];
      xs.push(s);
      v.push(s[0]!, s[1]!, s[2]!);
      const win = xs.slice(-w).map((a) => Math.hypot(a[0]!, a[1]!, a[2]!));
      const mean = win.reduce((a, b) => a + b, 0) / win.length;
      const want = win.length < 2 ? 0 : Math.sqrt(win.reduce((a, b) => a + (b - mean) ** 2, 0) / win.length);
      assert.ok(Math.abs(v.rms() - want) < 1e-9, `step ${i}: ${v.rms()} vs ${want}`);
    }
    assert.equal(v.count, w);
  });
});
