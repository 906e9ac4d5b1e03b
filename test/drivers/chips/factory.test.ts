import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimI2cBus } from '../../../drivers/backends/sim/i2c.js';
import { ChipOptionsError, chipChannels, createChip, createChipModel } from '../../../drivers/chips/index.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { settle } from './run-virtual.js';

describe('createChip / createChipModel', () => {
  it('builds each chip from a site-file entry and reads its model through the sim bus', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    const specs = [
      { chip: 'bme280', address: 0x76, options: { mode: 'normal', pressure_oversampling: 4 } },
      { chip: 'ads1115', address: 0x48, options: { channels: ['ain0', 'ain1'], full_scale_v: 4.096 } },
      { chip: 'ina219', address: 0x40, options: { shunt_ohms: 0.1, max_current_a: 2 } },
      { chip: 'mpu6050', address: 0x68, options: { accel_range_g: 4 } },
    ];
    const models = specs.map((s) => {
      const m = createChipModel(s.chip, { clock });
      bus.attach(s.address, m);
      return m;
    });
    models[0]!.setInput('temperature_c', 18.25);
    models[1]!.setInput('ain1_v', 3.3);
    models[2]!.setInput('current_a', 0.42);
    models[2]!.setInput('bus_v', 24);
    models[3]!.setInput('accel_x_g', 0.5);
    const got: Record<string, number>[] = [];
    for (const s of specs) {
      const d = createChip(s, bus, clock);
      await settle(clock, d.init());
      const out = new Float64Array(d.channels.length);
      await settle(clock, d.sample(out));
      got.push(Object.fromEntries(d.channels.map((c, i) => [c, out[i]!])));
    }
    assert.equal(got[0]!.temperature_c, 18.25);
    assert.ok(Math.abs(got[1]!.ain1_v! - 3.3) < 2e-4);
    assert.ok(Math.abs(got[2]!.current_a! - 0.42) < 1e-3);
    assert.ok(Math.abs(got[2]!.bus_v! - 24) < 0.004);
    assert.ok(Math.abs(got[3]!.accel_x_g! - 0.5) < 1e-3);
  });

  it('option errors name the field, the allowed values and what was given', () => {
    const bus = new SimI2cBus(1, new VirtualClock());
    const clock = new VirtualClock();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ chip: 'bme280', address: 0x76, options: { filter: 3 } }, 'options.filter', /options\.filter: must be one of 0, 2, 4, 8, 16 \(got 3\)/],
      [{ chip: 'bme280', address: 0x76, options: { oversampling: 2 } }, 'options.oversampling', /options\.oversampling: unknown option; valid: mode, temperature_oversampling/],
      [{ chip: 'ads1115', address: 0x48, options: { channels: ['ain4'] } }, 'options.channels.0', /options\.channels\.0: Invalid enum value/],
      [{ chip: 'ina219', address: 0x40, options: { shunt_ohms: -1 } }, 'options.shunt_ohms', /got -1/],
      [{ chip: 'ina219', address: 0x40, options: { max_current_a: 10 } }, 'options', /1000\.0 mV exceeds the 320 mV shunt range/],
      [{ chip: 'mpu6050', address: 0x68, options: { gyro_range_dps: 300 } }, 'options.gyro_range_dps', /must be one of 250, 500, 1000, 2000/],
      [{ chip: 'bmp180', address: 0x77, options: {} }, 'chip', /unknown chip "bmp180"; valid: bme280, ads1115, ina219, mpu6050/],
    ];
    for (const [spec, field, re] of cases) {
      assert.throws(() => createChip(spec as never, bus, clock), (e: unknown) => {
        assert.ok(e instanceof ChipOptionsError, String(e));
        assert.equal(e.field, field);
        assert.match(e.message, re);
        return true;
      });
    }
    assert.throws(() => chipChannels({ chip: 'bme280', address: 0x76, name: 'cabinet', options: { mode: 'sleep' } }), /sensor "cabinet" \(bme280 at 0x76\): options\.mode/);
    assert.deepEqual(chipChannels({ chip: 'ina219', address: 0x40, options: { shunt_ohms: 0.01, max_current_a: 20 } }), ['bus_v', 'shunt_v', 'current_a', 'power_w']);
  });

  it('createChipModel rejects unknown chips', () => {
    assert.throws(() => createChipModel('sht31'), /no model for chip "sht31"/);
  });
});
