import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SimI2cBus } from '../../../drivers/backends/sim/i2c.js';
import { Bme280 } from '../../../drivers/chips/bme280.js';
import {
  bme280Humidity, bme280Pressure, bme280TFine, bme280Temperature, encodeBme280Calibration, parseBme280Calibration, type Bme280Calibration,
} from '../../../drivers/chips/bme280-compensation.js';
import { Bme280Model, BME280_MODEL_CALIBRATION } from '../../../drivers/chips/models/bme280.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import { MockI2c, type MockI2cExpectation } from '../../../drivers/mock/mock-i2c.js';
import { settle } from './run-virtual.js';

// Register map declared again here, from the datasheet, rather than imported from the driver.
const ADDR = 0x76;
const CHIP_ID = 0xd0;
const RESET = 0xe0;
const STATUS = 0xf3;
const CTRL_HUM = 0xf2;
const CTRL_MEAS = 0xf4;
const CONFIG = 0xf5;
const DATA = 0xf7;

/** Datasheet example calibration (T and P words of section 8.2), humidity words from a real part. */
const CAL: Bme280Calibration = {
  T1: 27504, T2: 26435, T3: -1000,
  P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
  H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30,
};

/** The calibration blocks as the chip stores them (little-endian words). */
const CALIB_A = [
  0x70, 0x6b, 0x43, 0x67, 0x18, 0xfc, // T1 27504, T2 26435, T3 -1000
  0x7d, 0x8e, 0x43, 0xd6, 0xd0, 0x0b, 0x27, 0x0b, 0x8c, 0x00, // P1 36477, P2 -10685, P3 3024, P4 2855, P5 140
  0xf9, 0xff, 0x8c, 0x3c, 0xf8, 0xc6, 0x70, 0x17, // P6 -7, P7 15500, P8 -14600, P9 6000
  0x00, 0x4b, // unused 0xA0, H1 75
];
const CALIB_B = [0x6a, 0x01, 0x00, 0x13, 0x29, 0x03, 0x1e]; // H2 362, H3 0, H4 313, H5 50, H6 30

function initScript(): MockI2cExpectation[] {
  return [
    { op: 'writeRead', addr: ADDR, write: [CHIP_ID], read: [0x60] },
    { op: 'write', addr: ADDR, write: [RESET, 0xb6] },
    { op: 'writeRead', addr: ADDR, write: [STATUS], read: [0x01] }, // NVM copy still running
    { op: 'writeRead', addr: ADDR, write: [STATUS], read: [0x00] },
    { op: 'writeRead', addr: ADDR, write: [0x88], read: CALIB_A },
    { op: 'writeRead', addr: ADDR, write: [0xe1], read: CALIB_B },
    { op: 'write', addr: ADDR, write: [CTRL_MEAS, 0b001_001_00] }, // sleep while configuring
    { op: 'write', addr: ADDR, write: [CTRL_HUM, 0b001] },
    { op: 'write', addr: ADDR, write: [CONFIG, 0x00] },
    { op: 'write', addr: ADDR, write: [CTRL_MEAS, 0b001_001_00] }, // forced mode: stays asleep until read()
  ];
}

describe('BME280 compensation (datasheet vectors)', () => {
  it('adc_T 519888 with dig_T1 27504, dig_T2 26435, dig_T3 -1000 gives t_fine 128422 and 25.08 °C', () => {
    const tFine = bme280TFine(519888, CAL);
    assert.equal(tFine, 128422);
    assert.equal(bme280Temperature(tFine), 25.08);
  });

  it('adc_P 415148 at t_fine 128422 gives 100653.27 Pa (section 8.2 example)', () => {
    assert.ok(Math.abs(bme280Pressure(415148, 128422, CAL) - 100653.27) < 0.05);
  });

  it('parses the calibration bytes, including the split 12-bit H4/H5, and encodes them back', () => {
    const c = parseBme280Calibration(Uint8Array.from(CALIB_A), Uint8Array.from(CALIB_B));
    assert.deepEqual(c, CAL);
    const { a, b } = encodeBme280Calibration(CAL);
    assert.deepEqual([...a], CALIB_A);
    assert.deepEqual([...b], CALIB_B);
  });

  it('parses negative H4/H5 (sign in the MSB register)', () => {
    const c = parseBme280Calibration(Uint8Array.from(CALIB_A), Uint8Array.from([0, 0, 0, 0xff, 0xf8, 0xfe, 0]));
    assert.equal(c.H4, -8); // 0xFF·16 | 0x8
    assert.equal(c.H5, -17); // 0xFE·16 | 0xF = -32 | 15
  });
});

describe('BME280 driver over the scripted mock bus', () => {
  it('init: id check, soft reset, waits for the NVM copy, reads both calibration blocks, configures', async () => {
    const clock = new VirtualClock();
    const bus = new MockI2c(initScript());
    const dev = new Bme280(bus, { clock });
    await settle(clock, dev.init());
    assert.deepEqual(dev.calibration, CAL);
    assert.equal(await dev.close(), bus);
    // close() puts the chip to sleep: that write was not scripted, so the mock saw a mismatch.
    assert.throws(() => bus.done(), /unexpected transaction #11: got write addr 0x76 \(write \[0xf4, 0x24\]\)/);
  });

  it('forced read: trigger, wait the measurement time, poll status, burst-read 8 data bytes, compensate', async () => {
    const clock = new VirtualClock();
    const bus = new MockI2c([
      ...initScript(),
      { op: 'write', addr: ADDR, write: [CTRL_MEAS, 0b001_001_01] },
      { op: 'writeRead', addr: ADDR, write: [STATUS], read: [0x08] }, // still measuring
      { op: 'writeRead', addr: ADDR, write: [STATUS], read: [0x00] },
      // press 415148 = 0x655AC, temp 519888 = 0x7EED0, hum 0x6A3C
      { op: 'writeRead', addr: ADDR, write: [DATA], read: [0x65, 0x5a, 0xc0, 0x7e, 0xed, 0x00, 0x6a, 0x3c] },
      { op: 'write', addr: ADDR, write: [CTRL_MEAS, 0b001_001_00] },
    ]);
    const dev = new Bme280(bus, { clock });
    await settle(clock, dev.init());
    const t0 = clock.now();
    const r = await settle(clock, dev.read());
    assert.ok(clock.now() - t0 >= dev.measurementTimeMs(), 'waited for the measurement on the clock');
    assert.equal(r.temperatureC, 25.08);
    assert.ok(Math.abs(r.pressurePa - 100653.27) < 0.05);
    assert.ok(r.humidityPct > 0 && r.humidityPct < 100);
    await dev.close();
    bus.done();
  });

  it('a wrong chip id is an error naming bus, address, expected and found id', async () => {
    const bus = new MockI2c([{ op: 'writeRead', addr: 0x77, write: [CHIP_ID], read: [0x58] }], 'i2c-1');
    const dev = new Bme280(bus, { address: 0x77, clock: new VirtualClock() });
    await assert.rejects(dev.init(), (e: unknown) => {
      assert.ok(e instanceof HalError);
      assert.equal(e.message, 'i2c-1 addr 0x77: BME280 chip id expected 0x60, found 0x58');
      assert.equal(e.transient, false);
      return true;
    });
    bus.done();
  });

  it('a failed configuration write leaves the cached configuration unchanged', async () => {
    const clock = new VirtualClock();
    const bus = new MockI2c([...initScript(), { op: 'write', addr: ADDR, write: [CTRL_MEAS, 0b101_001_00], error: 'noAck' }]);
    const dev = new Bme280(bus, { clock });
    await settle(clock, dev.init());
    await assert.rejects(dev.setOversampling({ temperature: 16 }), (e: unknown) => e instanceof HalError && e.kind === 'noAck');
    assert.equal(dev.config.osrsT, 1);
    bus.done();
  });

  it('rejects option values the chip does not have before touching the bus', () => {
    const bus = new MockI2c([]);
    assert.throws(() => new Bme280(bus, { filter: 3 as never }), /filter must be one of 0, 2, 4, 8, 16, got 3/);
    bus.done();
  });
});

describe('BME280 driver over the register-level model', () => {
  it('reads back the physical values set on the model, in forced and normal mode', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Bme280Model({ temperatureC: 21.37, pressurePa: 98765.4, humidityPct: 43.2 });
    bus.attach(ADDR, model);
    const dev = new Bme280(bus, { clock, temperatureOversampling: 2, pressureOversampling: 16, humidityOversampling: 1 });
    await settle(clock, dev.init());
    let r = await settle(clock, dev.read());
    assert.equal(r.temperatureC, 21.37);
    assert.ok(Math.abs(r.pressurePa - 98765.4) < 0.5, `pressure ${r.pressurePa}`);
    assert.ok(Math.abs(r.humidityPct - 43.2) < 0.05, `humidity ${r.humidityPct}`);
    assert.equal(model.mode, 0, 'forced measurement returns the chip to sleep');

    await settle(clock, dev.setMode('normal'));
    assert.equal(dev.sampleIsReadOnly, true);
    model.temperatureC = -12.5;
    model.pressurePa = 103000;
    model.humidityPct = 91;
    r = await settle(clock, dev.read());
    assert.equal(r.temperatureC, -12.5);
    assert.ok(Math.abs(r.pressurePa - 103000) < 0.5);
    assert.ok(Math.abs(r.humidityPct - 91) < 0.05);
  });

  it('frozen model: values stop changing; a skipped measurement reads NaN', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const model = new Bme280Model({ temperatureC: 30 });
    bus.attach(ADDR, model);
    const dev = new Bme280(bus, { clock, mode: 'normal', humidityOversampling: 0 });
    await settle(clock, dev.init());
    assert.equal((await settle(clock, dev.read())).temperatureC, 30);
    assert.ok(Number.isNaN(dev.reading.humidityPct));
    model.setFrozen(true);
    model.temperatureC = 35;
    assert.equal((await settle(clock, dev.read())).temperatureC, 30);
  });

  it('model encoding inverts the compensation over the whole operating range (property)', () => {
    const m = new Bme280Model();
    fc.assert(
      fc.property(
        fc.double({ min: -40, max: 85, noNaN: true }),
        fc.double({ min: 30000, max: 110000, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (t, p, h) => {
          m.temperatureC = t;
          m.pressurePa = p;
          m.humidityPct = h;
          const { adcT, adcP, adcH } = m.encode();
          const tFine = bme280TFine(adcT, CAL);
          // Resolution: 0.01 °C output step, ~0.2 Pa per pressure count, ~0.002 %RH per humidity count.
          return Math.abs(bme280Temperature(tFine) - t) <= 0.0051 + 1e-9 &&
            Math.abs(bme280Pressure(adcP, tFine, CAL) - p) <= 0.5 &&
            Math.abs(bme280Humidity(adcH, tFine, CAL) - h) <= 0.01;
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('the model programs the datasheet calibration into its NVM registers', () => {
    const m = new Bme280Model();
    const a = [];
    for (let r = 0x88; r <= 0xa1; r++) a.push(m.peek(r));
    assert.deepEqual(a, CALIB_A);
    assert.deepEqual(BME280_MODEL_CALIBRATION, CAL);
  });

  it('NACKs surface as HalError noAck from the sim bus', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.attach(ADDR, new Bme280Model());
    bus.inject({ kind: 'nack', count: 1 });
    const dev = new Bme280(bus, { clock });
    await assert.rejects(settle(clock, dev.init()), (e: unknown) => e instanceof HalError && e.kind === 'noAck');
    await settle(clock, dev.init());
  });
});
