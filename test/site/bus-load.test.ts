import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBoard } from '../../boards/index.js';
import { startCabinet, stopCabinet } from '../../firmware/runtime/cabinet.js';
import { busLoadWarnings, pollHoldMs } from '../../firmware/site/bus-load.js';
import { sensorSpec, type SensorSpec } from '../../firmware/site/schema.js';
import { loadSite } from '../../firmware/site/load.js';
import { join } from 'node:path';

const sensor = (o: Partial<SensorSpec> & Pick<SensorSpec, 'name' | 'chip'>): SensorSpec => sensorSpec.parse({ bus: 1, address: 0x40, rate_hz: 10, ...o });

describe('I2C bus load of a site', () => {
  it('estimates how long a poll holds the bus from the chip and its options', () => {
    assert.equal(pollHoldMs(sensor({ name: 'b', chip: 'bme280' })), 10.25); // ×1 oversampling: ceil(9.3) ms + reads
    assert.equal(pollHoldMs(sensor({ name: 'b', chip: 'bme280', options: { mode: 'normal' } })), 0.25);
    assert.equal(pollHoldMs(sensor({ name: 'a', chip: 'ads1115', options: { channels: ['ain0-gnd', 'ain1-gnd', 'ain2-gnd', 'ain3-gnd'] } })), 4 * 8.25);
    assert.equal(pollHoldMs(sensor({ name: 'a', chip: 'ads1115', options: { data_rate_sps: 860 } })), 2.25);
    assert.equal(pollHoldMs(sensor({ name: 'i', chip: 'ina219' })), 0.25);
  });

  it('warns when a 100 Hz forced-mode BME280 would starve the INA219s on its bus, naming the fix', () => {
    const w = busLoadWarnings([
      sensor({ name: 'cabinet', chip: 'bme280', address: 0x76, rate_hz: 100 }),
      sensor({ name: 'lamps-2', chip: 'ina219', rate_hz: 100 }),
    ]);
    assert.equal(w.length, 2);
    assert.match(w[0]!, /sensor cabinet: a bme280 poll holds the bus ~10\.3 ms, longer than its 10\.0 ms period.*mode: normal/);
    assert.match(w[1]!, /I2C bus 1: its sensors \(cabinet, lamps-2\) need ~105 % of the bus time/);
  });

  it('is quiet for the demo site and for the same sensors configured for 100 Hz', async () => {
    const demo = await loadSite(join(import.meta.dirname, '..', '..', 'firmware/sites/demo.yaml'));
    assert.deepEqual(busLoadWarnings(demo.sensors), []);
    assert.deepEqual(
      busLoadWarnings([
        sensor({ name: 'cabinet', chip: 'bme280', address: 0x76, rate_hz: 100, options: { mode: 'normal' } }),
        sensor({ name: 'lamps-2', chip: 'ina219', rate_hz: 100 }),
        sensor({ name: 'supply', chip: 'ads1115', bus: 2, address: 0x48, rate_hz: 100, options: { data_rate_sps: 860, channels: ['ain0-gnd', 'ain1-gnd', 'ain2-gnd', 'ain3-gnd'] } }),
      ]),
      [],
    );
  });

  it('is printed by wayside run at start', async () => {
    const demo = await loadSite(join(import.meta.dirname, '..', '..', 'firmware/sites/demo.yaml'));
    const site = { ...demo, sensors: demo.sensors.map((s) => ({ ...s, rate_hz: 100 })) };
    const lines: string[] = [];
    const c = await startCabinet({ site, siteFile: 'demo.yaml', board: getBoard('sim')!, status: null, inference: false, jobs: false, eventLog: null, print: (l) => lines.push(l) });
    await stopCabinet(c, 'test over');
    assert.ok(lines.some((l) => /^warning: sensor cabinet: a bme280 poll holds the bus/.test(l)), lines.join('\n'));
  });
});
