import { SystemClock, type Clock } from '../hal/clock.js';
import { HalError } from '../hal/errors.js';
import { checkAddress, formatAddress, type I2cBus } from '../hal/i2c.js';
import {
  bme280Humidity, bme280Pressure, bme280TFine, bme280Temperature, parseBme280Calibration, type Bme280Calibration,
} from './bme280-compensation.js';
import { lookup, wrongChipId, type ChipDriver } from './chip.js';
import { delay, RegisterPort } from './register-port.js';

/** Register map (datasheet section 5.3). */
export const BME280_REG = {
  CALIB_00: 0x88, // 26 bytes: dig_T1 … dig_P9, dig_H1 at 0xA1
  CHIP_ID: 0xd0,
  RESET: 0xe0,
  CALIB_26: 0xe1, // 7 bytes: dig_H2 … dig_H6
  CTRL_HUM: 0xf2,
  STATUS: 0xf3,
  CTRL_MEAS: 0xf4,
  CONFIG: 0xf5,
  DATA: 0xf7, // 8 bytes: press[3], temp[3], hum[2]
} as const;

export const BME280_CHIP_ID = 0x60;
export const BME280_RESET_WORD = 0xb6;
export const BME280_BIT = {
  STATUS_MEASURING: 0b0000_1000,
  STATUS_IM_UPDATE: 0b0000_0001,
  MODE_SLEEP: 0b00,
  MODE_FORCED: 0b01,
  MODE_NORMAL: 0b11,
} as const;

/** Oversampling factor; 0 = measurement skipped. */
export type Bme280Oversampling = 0 | 1 | 2 | 4 | 8 | 16;
/** IIR filter coefficient; 0 = off. */
export type Bme280Filter = 0 | 2 | 4 | 8 | 16;
/** Standby time between normal-mode measurements, ms. */
export type Bme280StandbyMs = 0.5 | 10 | 20 | 62.5 | 125 | 250 | 500 | 1000;
export type Bme280Mode = 'forced' | 'normal';

const OSRS = new Map<number, number>([[0, 0], [1, 1], [2, 2], [4, 3], [8, 4], [16, 5]]);
const FILTER = new Map<number, number>([[0, 0], [2, 1], [4, 2], [8, 3], [16, 4]]);
const STANDBY = new Map<number, number>([[0.5, 0], [62.5, 1], [125, 2], [250, 3], [500, 4], [1000, 5], [10, 6], [20, 7]]);

export interface Bme280Options {
  /** 0x76 (SDO to GND, the default) or 0x77. */
  address?: number;
  /**
   * `forced` (default): the chip sleeps (its power-on mode) and measures once per `read()`;
   * `normal`: it measures continuously every `standbyMs` and `read()` only reads.
   */
  mode?: Bme280Mode;
  /**
   * Oversampling. Power-on is 0 (skipped), which measures nothing, so the driver defaults to
   * ×1, the datasheet's weather-monitoring setting.
   */
  temperatureOversampling?: Bme280Oversampling;
  pressureOversampling?: Bme280Oversampling;
  humidityOversampling?: Bme280Oversampling;
  /** IIR filter coefficient, default 0 (off, power-on). */
  filter?: Bme280Filter;
  /** Normal-mode standby, default 0.5 ms (power-on). */
  standbyMs?: Bme280StandbyMs;
  /** Clock for reset and conversion waits; default the system clock. */
  clock?: Clock;
}

interface Bme280Config {
  readonly mode: Bme280Mode;
  readonly osrsT: Bme280Oversampling;
  readonly osrsP: Bme280Oversampling;
  readonly osrsH: Bme280Oversampling;
  readonly filter: Bme280Filter;
  readonly standbyMs: Bme280StandbyMs;
}

/** One compensated reading; NaN for a skipped measurement. Reused by every `read()`. */
export interface Bme280Reading {
  temperatureC: number;
  pressurePa: number;
  humidityPct: number;
  tFine: number;
}

/** Bosch BME280 temperature / pressure / humidity sensor. */
export class Bme280 implements ChipDriver {
  readonly chip = 'bme280' as const;
  readonly channels = ['temperature_c', 'pressure_pa', 'humidity_pct'] as const;
  readonly address: number;
  private readonly port: RegisterPort;
  private readonly clock: Clock;
  private cfg: Bme280Config;
  private calib: Bme280Calibration | undefined;
  private readonly calibA = new Uint8Array(26);
  private readonly calibB = new Uint8Array(7);
  private readonly data = new Uint8Array(8);
  readonly reading: Bme280Reading = { temperatureC: NaN, pressurePa: NaN, humidityPct: NaN, tFine: 0 };

  constructor(
    readonly bus: I2cBus,
    options: Bme280Options = {},
  ) {
    this.address = options.address ?? 0x76;
    checkAddress(bus.name, this.address);
    this.port = new RegisterPort(bus, this.address);
    this.clock = options.clock ?? new SystemClock();
    this.cfg = {
      mode: options.mode ?? 'forced',
      osrsT: options.temperatureOversampling ?? 1,
      osrsP: options.pressureOversampling ?? 1,
      osrsH: options.humidityOversampling ?? 1,
      filter: options.filter ?? 0,
      standbyMs: options.standbyMs ?? 0.5,
    };
    encodeCtrlMeas(this.cfg); // validates the options before any bus traffic
    encodeConfig(this.cfg);
  }

  get config(): Readonly<Bme280Config> {
    return this.cfg;
  }

  get sampleIsReadOnly(): boolean {
    return this.cfg.mode === 'normal';
  }

  get sampleWaitMs(): number {
    return this.cfg.mode === 'forced' ? this.measurementTimeMs() + 10 : 0;
  }

  get calibration(): Readonly<Bme280Calibration> | undefined {
    return this.calib;
  }

  /** Chip-id check, soft reset, calibration read, configuration write. */
  async init(): Promise<void> {
    const id = await this.readRegister(BME280_REG.CHIP_ID);
    if (id !== BME280_CHIP_ID) throw wrongChipId(this.bus, this.address, 'BME280', BME280_CHIP_ID, id);
    await this.writeRegister(BME280_REG.RESET, BME280_RESET_WORD);
    await delay(this.clock, 2); // start-up time after reset, datasheet table 1
    for (let i = 0; ; i++) {
      // NVM calibration is copied to the image registers after reset; wait for it (bounded).
      if ((await this.readRegister(BME280_REG.STATUS)) & BME280_BIT.STATUS_IM_UPDATE) {
        if (i >= 10) throw new HalError('timeout', `${this.where()}: NVM copy did not finish after reset`);
        await delay(this.clock, 1);
      } else break;
    }
    await this.port.read(BME280_REG.CALIB_00, this.calibA);
    await this.port.read(BME280_REG.CALIB_26, this.calibB);
    this.calib = parseBme280Calibration(this.calibA, this.calibB, this.calib);
    await this.apply(this.cfg);
  }

  async setOversampling(o: { temperature?: Bme280Oversampling; pressure?: Bme280Oversampling; humidity?: Bme280Oversampling }): Promise<void> {
    await this.apply({ ...this.cfg, osrsT: o.temperature ?? this.cfg.osrsT, osrsP: o.pressure ?? this.cfg.osrsP, osrsH: o.humidity ?? this.cfg.osrsH });
  }

  async setFilter(filter: Bme280Filter, standbyMs: Bme280StandbyMs = this.cfg.standbyMs): Promise<void> {
    await this.apply({ ...this.cfg, filter, standbyMs });
  }

  async setMode(mode: Bme280Mode): Promise<void> {
    await this.apply({ ...this.cfg, mode });
  }

  /** Worst-case measurement time for the current oversampling, ms (datasheet section 9.1). */
  measurementTimeMs(): number {
    const { osrsT, osrsP, osrsH } = this.cfg;
    return bme280MeasurementTimeMs(osrsT, osrsP, osrsH);
  }

  /** One compensated reading (forced mode: triggers a measurement and waits for it first). */
  async read(): Promise<Bme280Reading> {
    const c = this.calib;
    if (!c) throw new HalError('invalid', `${this.where()}: read before init()`);
    if (this.cfg.mode === 'forced') {
      await this.writeRegister(BME280_REG.CTRL_MEAS, encodeCtrlMeas(this.cfg, BME280_BIT.MODE_FORCED));
      await delay(this.clock, this.measurementTimeMs());
      for (let i = 0; (await this.readRegister(BME280_REG.STATUS)) & BME280_BIT.STATUS_MEASURING; i++) {
        if (i >= 10) throw new HalError('timeout', `${this.where()}: measurement did not finish`);
        await delay(this.clock, 1);
      }
    }
    const d = this.data;
    await this.port.read(BME280_REG.DATA, d);
    const adcP = (d[0]! << 12) | (d[1]! << 4) | (d[2]! >> 4);
    const adcT = (d[3]! << 12) | (d[4]! << 4) | (d[5]! >> 4);
    const adcH = (d[6]! << 8) | d[7]!;
    const r = this.reading;
    // A skipped measurement reads 0x80000 / 0x8000; temperature is needed by the other two.
    const tOk = this.cfg.osrsT !== 0 && adcT !== 0x80000;
    r.tFine = tOk ? bme280TFine(adcT, c) : 0;
    r.temperatureC = tOk ? bme280Temperature(r.tFine) : NaN;
    r.pressurePa = tOk && this.cfg.osrsP !== 0 && adcP !== 0x80000 ? bme280Pressure(adcP, r.tFine, c) : NaN;
    r.humidityPct = tOk && this.cfg.osrsH !== 0 && adcH !== 0x8000 ? bme280Humidity(adcH, r.tFine, c) : NaN;
    return r;
  }

  async sample(out: Float64Array): Promise<void> {
    const r = await this.read();
    out[0] = r.temperatureC;
    out[1] = r.pressurePa;
    out[2] = r.humidityPct;
  }

  /** Puts the chip to sleep (best effort) and returns the bus. */
  async close(): Promise<I2cBus> {
    try {
      await this.writeRegister(BME280_REG.CTRL_MEAS, encodeCtrlMeas(this.cfg, BME280_BIT.MODE_SLEEP));
    } catch {
      // the bus is handed back either way; a chip we cannot reach is already not measuring for us
    }
    return this.bus;
  }

  /** Writes a whole configuration, then commits it: a failed write leaves `config` as it was. */
  private async apply(next: Bme280Config): Promise<void> {
    const meas = encodeCtrlMeas(next, next.mode === 'normal' ? BME280_BIT.MODE_NORMAL : BME280_BIT.MODE_SLEEP);
    // config is ignored in normal mode, and ctrl_hum only takes effect after a ctrl_meas write.
    await this.writeRegister(BME280_REG.CTRL_MEAS, encodeCtrlMeas(next, BME280_BIT.MODE_SLEEP));
    await this.writeRegister(BME280_REG.CTRL_HUM, lookup(OSRS, next.osrsH, 'humidity oversampling'));
    await this.writeRegister(BME280_REG.CONFIG, encodeConfig(next));
    await this.writeRegister(BME280_REG.CTRL_MEAS, meas);
    this.cfg = next;
  }

  private readRegister(reg: number): Promise<number> {
    return this.port.readU8(reg);
  }

  private writeRegister(reg: number, value: number): Promise<void> {
    return this.port.writeU8(reg, value);
  }

  private where(): string {
    return `${this.bus.name} addr ${formatAddress(this.address)} BME280`;
  }
}

function encodeCtrlMeas(c: Bme280Config, mode: number = BME280_BIT.MODE_SLEEP): number {
  return (lookup(OSRS, c.osrsT, 'temperature oversampling') << 5) | (lookup(OSRS, c.osrsP, 'pressure oversampling') << 2) | mode;
}

function encodeConfig(c: Bme280Config): number {
  lookup(OSRS, c.osrsH, 'humidity oversampling');
  return (lookup(STANDBY, c.standbyMs, 'standby ms') << 5) | (lookup(FILTER, c.filter, 'filter') << 2);
}

/** Worst-case measurement time for an oversampling setting, ms (datasheet section 9.1). */
export function bme280MeasurementTimeMs(osrsT: number, osrsP: number, osrsH: number): number {
  return Math.ceil(1.25 + 2.3 * osrsT + (osrsP ? 2.3 * osrsP + 0.575 : 0) + (osrsH ? 2.3 * osrsH + 0.575 : 0));
}
