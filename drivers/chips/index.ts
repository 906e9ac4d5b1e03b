import { z } from 'zod';
import type { SimI2c } from '../backends/sim/i2c.js';
import type { Clock } from '../hal/clock.js';
import { formatAddress, type I2cBus } from '../hal/i2c.js';
import { Ads1115 } from './ads1115.js';
import { Bme280 } from './bme280.js';
import { CHIP_NAMES, type ChipDriver, type ChipName } from './chip.js';
import { Ina219 } from './ina219.js';
import { Mpu6050 } from './mpu6050.js';
import { Ads1115Model } from './models/ads1115.js';
import { Bme280Model } from './models/bme280.js';
import type { ChipModel } from './models/chip-model.js';
import { Ina219Model } from './models/ina219.js';
import { Mpu6050Model } from './models/mpu6050.js';

export { CHIP_NAMES, WRONG_CHIP_ID, type ChipDriver, type ChipName } from './chip.js';
export type { ChipModel } from './models/chip-model.js';
export { Ads1115, Bme280, Ina219, Mpu6050, Ads1115Model, Bme280Model, Ina219Model, Mpu6050Model };

function oneOf<T extends number>(values: readonly T[]) {
  return z.number().refine((v): v is T => (values as readonly number[]).includes(v), {
    message: `must be one of ${values.join(', ')}`,
  }) as unknown as z.ZodType<T>;
}

const oversampling = oneOf([0, 1, 2, 4, 8, 16] as const);
const ADS_MUX = ['ain0-ain1', 'ain0-ain3', 'ain1-ain3', 'ain2-ain3', 'ain0', 'ain1', 'ain2', 'ain3'] as const;
const INA_ADC = ['9bit', '10bit', '11bit', '12bit', 'avg2', 'avg4', 'avg8', 'avg16', 'avg32', 'avg64', 'avg128'] as const;

/**
 * Site-file `options` per chip, snake_case as operators write YAML. Every field is optional;
 * defaults are the drivers' (the chip's power-on values, except where a driver says why not).
 */
export const CHIP_OPTION_SCHEMAS = {
  bme280: z
    .object({
      mode: z.enum(['forced', 'normal']).optional(),
      temperature_oversampling: oversampling.optional(),
      pressure_oversampling: oversampling.optional(),
      humidity_oversampling: oversampling.optional(),
      filter: oneOf([0, 2, 4, 8, 16] as const).optional(),
      standby_ms: oneOf([0.5, 10, 20, 62.5, 125, 250, 500, 1000] as const).optional(),
    })
    .strict(),
  ads1115: z
    .object({
      mode: z.enum(['single-shot', 'continuous']).optional(),
      channels: z.array(z.enum(ADS_MUX)).min(1).max(8).optional(),
      full_scale_v: oneOf([6.144, 4.096, 2.048, 1.024, 0.512, 0.256] as const).optional(),
      data_rate_sps: oneOf([8, 16, 32, 64, 128, 250, 475, 860] as const).optional(),
    })
    .strict(),
  ina219: z
    .object({
      shunt_ohms: z.number().positive().optional(),
      max_current_a: z.number().positive().optional(),
      bus_range_v: oneOf([16, 32] as const).optional(),
      shunt_range_mv: oneOf([40, 80, 160, 320] as const).optional(),
      bus_adc: z.enum(INA_ADC).optional(),
      shunt_adc: z.enum(INA_ADC).optional(),
    })
    .strict(),
  mpu6050: z
    .object({
      accel_range_g: oneOf([2, 4, 8, 16] as const).optional(),
      gyro_range_dps: oneOf([250, 500, 1000, 2000] as const).optional(),
      dlpf: oneOf([0, 1, 2, 3, 4, 5, 6] as const).optional(),
      sample_rate_divider: z.number().int().min(0).max(255).optional(),
      clock_source: z.enum(['internal', 'pll-x']).optional(),
      vibration_window: z.number().int().min(2).max(4096).optional(),
    })
    .strict(),
} as const;

/** A bad `options` entry. `field` is the path inside the sensor entry, e.g. `options.filter`. */
export class ChipOptionsError extends Error {
  override readonly name = 'ChipOptionsError';
  constructor(
    readonly chip: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ChipSpec {
  chip: ChipName | string;
  address: number;
  options?: Record<string, unknown>;
  /** Sensor name, only for messages. */
  name?: string;
}

/**
 * Parses and checks `options` for `chip` without touching a bus (for `wayside check`), and
 * gives the channels its driver will read, in order.
 */
export function chipChannels(spec: ChipSpec): readonly string[] {
  return createWith(spec, undefined, undefined)!.channels;
}

/**
 * Builds the driver for a site-file `sensors` entry. Throws ChipOptionsError naming the
 * field for an unknown chip, an unknown or bad option, or options that do not fit together.
 */
export function createChip(spec: ChipSpec, bus: I2cBus, clock: Clock): ChipDriver {
  return createWith(spec, bus, clock)!;
}

function createWith(spec: ChipSpec, bus: I2cBus | undefined, clock: Clock | undefined): ChipDriver | undefined {
  const where = `sensor ${spec.name ? `"${spec.name}" ` : ''}(${spec.chip} at ${formatAddress(spec.address)})`;
  if (!(CHIP_NAMES as readonly string[]).includes(spec.chip)) {
    throw new ChipOptionsError(spec.chip, 'chip', `${where}: chip: unknown chip "${spec.chip}"; valid: ${CHIP_NAMES.join(', ')}`);
  }
  const chip = spec.chip as ChipName;
  const parsed = CHIP_OPTION_SCHEMAS[chip].safeParse(spec.options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const field = ['options', ...issue.path, ...keys.slice(0, 1)].join('.');
    const got = issue.path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], spec.options);
    const msg = issue.code === 'unrecognized_keys' ? `unknown option; valid: ${Object.keys(CHIP_OPTION_SCHEMAS[chip].shape).join(', ')}` : issue.message;
    throw new ChipOptionsError(chip, field, `${where}: ${field}: ${msg}${issue.code === 'unrecognized_keys' ? '' : ` (got ${JSON.stringify(got)})`}`);
  }
  const o = parsed.data as Record<string, never>;
  // A throwaway bus when only validating: the constructors check option combinations, touch nothing.
  const b: I2cBus = bus ?? { name: 'check', transaction: async () => {}, close: async () => {} };
  try {
    switch (chip) {
      case 'bme280':
        return new Bme280(b, {
          address: spec.address, clock, mode: o.mode, temperatureOversampling: o.temperature_oversampling,
          pressureOversampling: o.pressure_oversampling, humidityOversampling: o.humidity_oversampling,
          filter: o.filter, standbyMs: o.standby_ms,
        });
      case 'ads1115':
        return new Ads1115(b, {
          address: spec.address, clock, mode: o.mode, channels: o.channels, fullScaleV: o.full_scale_v, dataRateSps: o.data_rate_sps,
        });
      case 'ina219':
        return new Ina219(b, {
          address: spec.address, shuntOhms: o.shunt_ohms, maxCurrentA: o.max_current_a, busRangeV: o.bus_range_v,
          shuntRangeMv: o.shunt_range_mv, busAdc: o.bus_adc, shuntAdc: o.shunt_adc,
        });
      case 'mpu6050':
        return new Mpu6050(b, {
          address: spec.address, accelRangeG: o.accel_range_g, gyroRangeDps: o.gyro_range_dps, dlpf: o.dlpf,
          sampleRateDivider: o.sample_rate_divider, clockSource: o.clock_source, vibrationWindow: o.vibration_window,
        });
    }
  } catch (e) {
    if (e instanceof RangeError) throw new ChipOptionsError(chip, 'options', `${where}: options: ${e.message}`);
    throw e;
  }
}

export interface ChipModelOptions {
  /** Conversion timing (ADS1115) and vibration phase (MPU-6050) follow it. */
  clock?: Clock;
  /** INA219: the shunt fitted, ohms (match the driver's shunt_ohms). */
  shuntOhms?: number;
}

/** A register-level model of `chip` for SimI2cBus.attach(address, model). */
export function createChipModel(chip: ChipName | string, options: ChipModelOptions = {}): ChipModel {
  switch (chip) {
    case 'bme280':
      return new Bme280Model();
    case 'ads1115':
      return new Ads1115Model({ clock: options.clock });
    case 'ina219':
      return new Ina219Model({ shuntOhms: options.shuntOhms });
    case 'mpu6050':
      return new Mpu6050Model({ clock: options.clock });
    default:
      throw new RangeError(`no model for chip "${chip}"; valid: ${CHIP_NAMES.join(', ')}`);
  }
}

/**
 * Plugs a model of every listed chip into the simulated buses (the `sensors` entries of a site
 * file, for `--board sim`). Returns the models by sensor name so the simulator can drive their
 * physical inputs. INA219 models get the entry's `shunt_ohms` so currents read back right.
 */
export function attachChipModels(
  entries: readonly { name: string; chip: string; bus: number; address: number; options?: Record<string, unknown> }[],
  sim: SimI2c,
  clock: Clock,
): Map<string, ChipModel> {
  const models = new Map<string, ChipModel>();
  for (const e of entries) {
    const shunt = e.options?.['shunt_ohms'];
    const model = createChipModel(e.chip, { clock, shuntOhms: typeof shunt === 'number' ? shunt : undefined });
    sim.simBus(e.bus).attach(e.address, model);
    models.set(e.name, model);
  }
  return models;
}
