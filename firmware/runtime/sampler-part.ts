import type { Clock } from '../../drivers/hal/clock.js';
import type { I2cBackend } from '../../drivers/hal/backend.js';
import { createChip } from '../../drivers/chips/index.js';
import { Sensor } from '../../drivers/sampling/sensor.js';
import { SamplingScheduler } from '../../drivers/sampling/scheduler.js';
import type { SensorSpec } from '../site/schema.js';
import type { SamplerPart } from './parts.js';
import type { StreamSpec } from './sensor-pipeline.js';
import { streamedChannels } from './stream-channels.js';

const UNITS: [RegExp, string][] = [
  [/_c$/, '°C'],
  [/_pa$/, 'Pa'],
  [/_pct$/, '%'],
  [/_a$/, 'A'],
  [/_v$/, 'V'],
  [/_g$/, 'g'],
  [/_w$/, 'W'],
  [/_dps$/, '°/s'],
];

export function unitOf(channel: string): string {
  for (const [re, u] of UNITS) if (re.test(channel)) return u;
  return '';
}

/**
 * The site's I2C sensors through the chip drivers and the sampling scheduler, as a SamplerPart.
 * Each good reading is offered to the pipeline synchronously from the scheduler's callback,
 * through a precomputed (sensor, channel) → stream table: nothing allocated per sample.
 */
export class ChipSampler implements SamplerPart {
  readonly streams: StreamSpec[] = [];
  onFault: ((source: string, message: string, tMs: number) => void) | null = null;
  private readonly table = new Map<string, Int32Array>();
  private readonly scheduler: SamplingScheduler;
  private offer: ((stream: number, tMs: number, value: number) => void) | null = null;
  readonly sensors: Sensor[] = [];

  private constructor(private readonly clock: Clock) {
    this.scheduler = new SamplingScheduler(clock, (sensor, channel, t, v) => {
      const map = this.table.get(sensor);
      if (!map) return;
      const s = map[channel]!;
      if (s >= 0) this.offer?.(s, t, v);
    });
  }

  static async open(sensors: readonly SensorSpec[], i2c: I2cBackend, clock: Clock): Promise<ChipSampler> {
    const cs = new ChipSampler(clock);
    for (const spec of sensors) {
      const bus = await i2c.bus(spec.bus);
      const driver = createChip({ chip: spec.chip, address: spec.address, options: spec.options, name: spec.name }, bus, clock);
      const sensor = new Sensor(spec.name, driver, clock, {
        periodMs: 1000 / spec.rate_hz,
        onState: (s, state, error) => {
          if (state === 'faulted') cs.onFault?.(`sensor ${s.name}`, `faulted: ${error ?? 'unknown error'}`, clock.now());
        },
      });
      const streamed = streamedChannels(spec.chip, driver.channels);
      const map = new Int32Array(driver.channels.length).fill(-1);
      driver.channels.forEach((ch, c) => {
        if (!streamed.includes(ch)) return;
        map[c] = cs.streams.length;
        cs.streams.push({ name: `${spec.name}.${ch}`, unit: unitOf(ch), rateHz: spec.rate_hz, source: spec.name });
      });
      cs.table.set(spec.name, map);
      cs.scheduler.add(sensor);
      cs.sensors.push(sensor);
    }
    return cs;
  }

  async start(offer: (stream: number, tMs: number, value: number) => void): Promise<void> {
    this.offer = offer;
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    this.offer = null;
  }

  i2cErrors(): { bus: string; kind: string; count: number }[] {
    const out: { bus: string; kind: string; count: number }[] = [];
    for (const s of this.sensors) {
      for (const [kind, count] of Object.entries(s.counters.errors)) {
        if (count > 0) out.push({ bus: `${s.driver.bus.name}/${s.name}`, kind, count });
      }
    }
    return out;
  }
}
