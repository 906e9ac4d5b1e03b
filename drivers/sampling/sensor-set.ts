import type { I2cBackend } from '../hal/backend.js';
import type { Clock } from '../hal/clock.js';
import { createChip } from '../chips/index.js';
import type { RetryPolicy } from './retry-policy.js';
import { SamplingScheduler, type SampleListener } from './scheduler.js';
import { Sensor, type SensorState } from './sensor.js';

/** A site-file `sensors` entry (firmware/site/schema.ts `sensorSpec`), as far as sampling needs it. */
export interface SensorEntry {
  name: string;
  chip: string;
  bus: number;
  address: number;
  rate_hz: number;
  options?: Record<string, unknown>;
}

export interface SensorSet {
  scheduler: SamplingScheduler;
  sensors: ReadonlyMap<string, Sensor>;
}

/**
 * Builds drivers, sensors and the scheduler for a site's `sensors` list: opens each bus once
 * from the I2C backend, validates options (ChipOptionsError names the field), and adds every
 * sensor to one scheduler. Nothing touches a chip until `scheduler.start()`; a chip that is
 * absent then shows up as a `faulted` sensor, not as a start-up failure.
 */
export async function createSensorSet(
  entries: readonly SensorEntry[],
  i2c: I2cBackend,
  clock: Clock,
  onSample: SampleListener,
  options: { policy?: Partial<RetryPolicy>; onState?: (sensor: Sensor, state: SensorState, error: string | undefined) => void } = {},
): Promise<SensorSet> {
  const scheduler = new SamplingScheduler(clock, onSample);
  const sensors = new Map<string, Sensor>();
  for (const e of entries) {
    if (sensors.has(e.name)) throw new Error(`sensor "${e.name}" is listed twice`);
    if (!(e.rate_hz > 0)) throw new RangeError(`sensor "${e.name}": rate_hz must be > 0, got ${e.rate_hz}`);
    const bus = await i2c.bus(e.bus);
    const driver = createChip({ chip: e.chip, address: e.address, options: e.options, name: e.name }, bus, clock);
    const sensor = new Sensor(e.name, driver, clock, { periodMs: 1000 / e.rate_hz, policy: options.policy, onState: options.onState });
    sensors.set(e.name, sensor);
    scheduler.add(sensor);
  }
  return { scheduler, sensors };
}
