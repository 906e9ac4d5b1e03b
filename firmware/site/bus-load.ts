import { ADS1115_DEFAULT_SPS, ads1115ConversionMs } from '../../drivers/chips/ads1115.js';
import { bme280MeasurementTimeMs } from '../../drivers/chips/bme280.js';
import type { SensorSpec } from './schema.js';

/** A register access on the bus, ms. */
const REG_MS = 0.25;

/**
 * How long one poll of a sensor keeps its I2C bus, estimated from the chip and its options.
 * The sampling scheduler runs one poll at a time per bus (drivers/sampling/bus-queue.ts), and a
 * poll that waits for a conversion holds the bus for that wait: a forced-mode BME280 for its
 * whole measurement (~10 ms at ×1 oversampling), a single-shot ADS1115 for a conversion per
 * channel (~8 ms each at the power-on 128 SPS). Register accesses alone take a few hundred
 * microseconds or less (a 3-byte read is ~0.3 ms at 100 kHz, ~0.1 ms at 400 kHz); 0.25 ms is
 * used for them.
 */
export function pollHoldMs(sensor: SensorSpec): number {
  const o = sensor.options as Record<string, unknown>;
  const num = (k: string, d: number): number => (typeof o[k] === 'number' ? (o[k] as number) : d);
  if (sensor.chip === 'bme280') {
    if (o.mode === 'normal') return REG_MS;
    return bme280MeasurementTimeMs(num('temperature_oversampling', 1), num('pressure_oversampling', 1), num('humidity_oversampling', 1)) + REG_MS;
  }
  if (sensor.chip === 'ads1115') {
    if (o.mode === 'continuous') return REG_MS;
    const channels = Array.isArray(o.channels) && o.channels.length > 0 ? o.channels.length : 1;
    return channels * (ads1115ConversionMs(num('data_rate_sps', ADS1115_DEFAULT_SPS)) + REG_MS);
  }
  return REG_MS;
}

/**
 * Warnings for a site whose sampling cannot run at the rates it asks for: a sensor whose poll
 * takes longer than its period, or a bus whose sensors together need more than all of its
 * time. Either way polls are skipped (counted as overruns) and the streams run slower than
 * `rate_hz`. Not errors: the cabinet still runs, at the rate the bus allows.
 */
export function busLoadWarnings(sensors: readonly SensorSpec[]): string[] {
  const out: string[] = [];
  const byBus = new Map<number, { load: number; names: string[] }>();
  for (const s of sensors) {
    const hold = pollHoldMs(s);
    const period = 1000 / s.rate_hz;
    if (hold > period) {
      out.push(`sensor ${s.name}: a ${s.chip} poll holds the bus ~${hold.toFixed(1)} ms, longer than its ${period.toFixed(1)} ms period (rate_hz ${s.rate_hz}); ${hint(s)}`);
    }
    const b = byBus.get(s.bus) ?? { load: 0, names: [] };
    b.load += (hold * s.rate_hz) / 1000;
    b.names.push(s.name);
    byBus.set(s.bus, b);
  }
  for (const [bus, b] of byBus) {
    if (b.load > 1) {
      out.push(`I2C bus ${bus}: its sensors (${b.names.join(', ')}) need ~${Math.round(b.load * 100)} % of the bus time; polls will be skipped and every sensor on it sampled slower than asked (lower rate_hz, or see the chip options: BME280 mode normal, ADS1115 data_rate_sps)`);
    }
  }
  return out;
}

function hint(s: SensorSpec): string {
  if (s.chip === 'bme280') return 'use options.mode: normal for high rates';
  if (s.chip === 'ads1115') return 'raise options.data_rate_sps or scan fewer channels';
  return 'lower rate_hz';
}
