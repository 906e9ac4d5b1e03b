import { HalError } from '../hal/errors.js';
import { formatAddress, type I2cBus } from '../hal/i2c.js';

/** Chip names as the site file's `sensors[].chip` spells them. */
export const CHIP_NAMES = ['bme280', 'ads1115', 'ina219', 'mpu6050'] as const;
export type ChipName = (typeof CHIP_NAMES)[number];

/**
 * What the sampling layer needs from any chip driver. A driver instance is used by one caller
 * at a time (the sampling scheduler serialises per bus): its scratch buffers are reused.
 */
export interface ChipDriver {
  readonly chip: ChipName;
  readonly bus: I2cBus;
  readonly address: number;
  /** Names of the values `sample` writes, in order (`temperature_c`, `bus_v` …). */
  readonly channels: readonly string[];
  /**
   * True when `sample` only reads (normal/continuous modes), so a transient failure may be
   * retried. False when it must write to start a conversion (forced / single-shot): those
   * are never retried blindly; the sensor re-initialises the chip instead.
   */
  readonly sampleIsReadOnly: boolean;
  /** Time `sample` spends waiting on the clock by design (conversions), ms; 0 for plain reads. */
  readonly sampleWaitMs: number;
  /** Checks the chip is there (chip id where it has one) and writes the configuration. */
  init(): Promise<void>;
  /** Fills `out[0..channels.length)` with one reading, in SI-ish units named by the channel. */
  sample(out: Float64Array): Promise<void>;
  /** Returns the bus; the driver must not be used afterwards. */
  close(): Promise<I2cBus>;
}

/** Error code carried by a wrong-chip-id HalError, for code that wants to tell it apart. */
export const WRONG_CHIP_ID = 'WRONG_CHIP_ID';

/**
 * Something answered at the address but it is not the chip the site file names (a BMP280
 * where a BME280 was expected, an address jumper set wrong). Not transient: retrying will
 * not change the answer.
 */
export function wrongChipId(bus: I2cBus, address: number, chip: string, expected: number, found: number): HalError {
  return new HalError(
    'other',
    `${bus.name} addr ${formatAddress(address)}: ${chip} chip id expected ${hex8(expected)}, found ${hex8(found)}`,
    WRONG_CHIP_ID,
  );
}

export function hex8(v: number): string {
  return `0x${(v & 0xff).toString(16).padStart(2, '0')}`;
}

export function hex16(v: number): string {
  return `0x${(v & 0xffff).toString(16).padStart(4, '0')}`;
}

/** Picks an enum member by its value, or throws a RangeError naming the option. */
export function lookup<K extends string | number, V>(table: ReadonlyMap<K, V>, key: K, what: string): V {
  const v = table.get(key);
  if (v === undefined) throw new RangeError(`${what} must be one of ${[...table.keys()].join(', ')}, got ${String(key)}`);
  return v;
}
