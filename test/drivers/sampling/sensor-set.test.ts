import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimI2c } from '../../../drivers/backends/sim/i2c.js';
import { attachChipModels, ChipOptionsError } from '../../../drivers/chips/index.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { createSensorSet } from '../../../drivers/sampling/sensor-set.js';
import { runFor } from './run-clock.js';

const SENSORS = [
  { name: 'cabinet', chip: 'bme280', bus: 1, address: 0x76, rate_hz: 1, options: { mode: 'normal' } },
  { name: 'lamp_1', chip: 'ina219', bus: 1, address: 0x40, rate_hz: 10, options: { shunt_ohms: 0.05, max_current_a: 5 } },
  { name: 'pole', chip: 'mpu6050', bus: 2, address: 0x68, rate_hz: 50, options: {} },
];

describe('createSensorSet + attachChipModels (site file → live values on the sim board)', () => {
  it('samples every site sensor from its chip model, by name and channel', async () => {
    const clock = new VirtualClock();
    const sim = new SimI2c(clock);
    const models = attachChipModels(SENSORS, sim, clock);
    models.get('cabinet')!.setInput('temperature_c', 27.5);
    models.get('lamp_1')!.setInput('current_a', 1.2);
    models.get('pole')!.setInput('accel_z_g', 0.98);
    const latest = new Map<string, number>();
    const set = await createSensorSet(SENSORS, sim, clock, (name, ch, _t, v) => {
      latest.set(`${name}.${set.scheduler.channelNames(name)[ch]}`, v);
    });
    set.scheduler.start();
    await runFor(clock, 2000);
    assert.equal(latest.get('cabinet.temperature_c'), 27.5);
    assert.ok(Math.abs(latest.get('lamp_1.current_a')! - 1.2) < 1e-3);
    assert.ok(Math.abs(latest.get('pole.accel_z_g')! - 0.98) < 1e-3);
    for (const s of set.sensors.values()) assert.equal(s.state, 'ok');
    const stopping = set.scheduler.stop();
    await runFor(clock, 100);
    await stopping;
  });

  it('a bad option fails before anything starts, naming the sensor and field', async () => {
    const clock = new VirtualClock();
    await assert.rejects(
      createSensorSet([{ name: 'lamp_2', chip: 'ina219', bus: 1, address: 0x41, rate_hz: 10, options: { shunt_ohm: 0.1 } }], new SimI2c(clock), clock, () => {}),
      (e: unknown) => e instanceof ChipOptionsError && e.field === 'options.shunt_ohm' && /sensor "lamp_2" \(ina219 at 0x41\)/.test(e.message),
    );
  });
});
