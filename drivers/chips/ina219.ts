import { checkAddress, formatAddress, type I2cBus } from '../hal/i2c.js';
import { HalError } from '../hal/errors.js';
import { hex16, lookup, type ChipDriver } from './chip.js';
import { RegisterPort } from './register-port.js';

/** Register pointers (datasheet 8.6). Registers are 16-bit, big-endian. */
export const INA219_REG = {
  CONFIG: 0x00,
  SHUNT_VOLTAGE: 0x01,
  BUS_VOLTAGE: 0x02,
  POWER: 0x03,
  CURRENT: 0x04,
  CALIBRATION: 0x05,
} as const;

export const INA219_BIT = {
  RESET: 0b1000_0000_0000_0000,
  BRNG_32V: 0b0010_0000_0000_0000,
  BUS_CNVR: 0b10, // conversion ready, in the bus voltage register
  BUS_OVF: 0b01, // math overflow: current/power registers are meaningless
  MODE_SHUNT_BUS_CONTINUOUS: 0b111,
} as const;

export const INA219_POWER_ON_CONFIG = 0x399f;
/** Shunt voltage LSB 10 µV, bus voltage LSB 4 mV (datasheet 8.6.3). */
export const INA219_SHUNT_LSB_V = 10e-6;
export const INA219_BUS_LSB_V = 0.004;

/** Bus voltage range, V. Power-on 32. */
export type Ina219BusRange = 16 | 32;
/** Shunt voltage range (PGA), mV. Power-on 320. */
export type Ina219ShuntRange = 40 | 80 | 160 | 320;
/** ADC resolution or averaging (12-bit samples averaged). Power-on `12bit`. */
export type Ina219Adc = '9bit' | '10bit' | '11bit' | '12bit' | 'avg2' | 'avg4' | 'avg8' | 'avg16' | 'avg32' | 'avg64' | 'avg128';

const PG = new Map<number, number>([[40, 0], [80, 1], [160, 2], [320, 3]]);
export const INA219_ADC = new Map<Ina219Adc, number>([
  ['9bit', 0b0000], ['10bit', 0b0001], ['11bit', 0b0010], ['12bit', 0b0011], ['avg2', 0b1001], ['avg4', 0b1010],
  ['avg8', 0b1011], ['avg16', 0b1100], ['avg32', 0b1101], ['avg64', 0b1110], ['avg128', 0b1111],
]);

export interface Ina219Options {
  /** 0x40 (A0, A1 to GND, default) … 0x4F. */
  address?: number;
  /** Shunt resistor, ohms. Default 0.1 (the common breakout boards). */
  shuntOhms?: number;
  /** Largest current expected, amps; sets the current LSB (max/32768). Default 3.2 (320 mV over 0.1 Ω). */
  maxCurrentA?: number;
  /** Default 32 V (power-on). */
  busRangeV?: Ina219BusRange;
  /** Default 320 mV (power-on). Must cover maxCurrentA × shuntOhms. */
  shuntRangeMv?: Ina219ShuntRange;
  /** Default `12bit` (power-on). */
  busAdc?: Ina219Adc;
  shuntAdc?: Ina219Adc;
}

interface Ina219Config {
  readonly busRangeV: Ina219BusRange;
  readonly shuntRangeMv: Ina219ShuntRange;
  readonly busAdc: Ina219Adc;
  readonly shuntAdc: Ina219Adc;
}

/** Calibration derived from the shunt and the largest current (datasheet 8.5.1). */
export interface Ina219Calibration {
  /** Calibration register value. */
  readonly cal: number;
  readonly currentLsbA: number;
  readonly powerLsbW: number;
}

export function ina219Calibration(shuntOhms: number, maxCurrentA: number): Ina219Calibration {
  if (!(shuntOhms > 0)) throw new RangeError(`shunt ohms must be > 0, got ${shuntOhms}`);
  if (!(maxCurrentA > 0)) throw new RangeError(`max current A must be > 0, got ${maxCurrentA}`);
  // Cal = trunc(0.04096 / (Current_LSB · R_shunt)); bit 0 of the register is read-only zero.
  const cal = Math.floor(0.04096 / ((maxCurrentA / 32768) * shuntOhms)) & 0xfffe;
  if (cal < 2 || cal > 0xfffe) {
    throw new RangeError(`INA219 calibration ${cal} out of range for ${shuntOhms} Ω and ${maxCurrentA} A`);
  }
  const currentLsbA = 0.04096 / (cal * shuntOhms); // exact LSB for the truncated register value
  return { cal, currentLsbA, powerLsbW: 20 * currentLsbA };
}

/** One reading, reused by every `read()`. */
export interface Ina219Reading {
  busV: number;
  shuntV: number;
  currentA: number;
  powerW: number;
  /** The chip flagged a math overflow: current and power are not valid. */
  overflow: boolean;
}

/** TI INA219 high-side current / power monitor (a lamp circuit's current in a cabinet). */
export class Ina219 implements ChipDriver {
  readonly chip = 'ina219' as const;
  readonly channels = ['bus_v', 'shunt_v', 'current_a', 'power_w'] as const;
  readonly sampleIsReadOnly = true; // continuous mode (power-on): reads only
  readonly sampleWaitMs = 0;
  readonly address: number;
  readonly calibration: Ina219Calibration;
  private readonly port: RegisterPort;
  private cfg: Ina219Config;
  readonly reading: Ina219Reading = { busV: NaN, shuntV: NaN, currentA: NaN, powerW: NaN, overflow: false };

  constructor(
    readonly bus: I2cBus,
    options: Ina219Options = {},
  ) {
    this.address = options.address ?? 0x40;
    checkAddress(bus.name, this.address);
    this.port = new RegisterPort(bus, this.address);
    const shuntOhms = options.shuntOhms ?? 0.1;
    const maxCurrentA = options.maxCurrentA ?? 3.2;
    this.calibration = ina219Calibration(shuntOhms, maxCurrentA);
    this.cfg = {
      busRangeV: options.busRangeV ?? 32,
      shuntRangeMv: options.shuntRangeMv ?? 320,
      busAdc: options.busAdc ?? '12bit',
      shuntAdc: options.shuntAdc ?? '12bit',
    };
    encodeConfig(this.cfg);
    if (maxCurrentA * shuntOhms * 1000 > this.cfg.shuntRangeMv + 1e-9) {
      throw new RangeError(
        `max current ${maxCurrentA} A × ${shuntOhms} Ω = ${(maxCurrentA * shuntOhms * 1000).toFixed(1)} mV exceeds the ${this.cfg.shuntRangeMv} mV shunt range`,
      );
    }
  }

  get config(): Readonly<Ina219Config> {
    return this.cfg;
  }

  /**
   * Resets the chip and checks the config register reads its power-on value (the INA219 has
   * no id register), then writes configuration and calibration.
   */
  async init(): Promise<void> {
    await this.writeRegister(INA219_REG.CONFIG, INA219_BIT.RESET);
    const after = await this.readRegister(INA219_REG.CONFIG);
    if (after !== INA219_POWER_ON_CONFIG) {
      throw new HalError(
        'other',
        `${this.bus.name} addr ${formatAddress(this.address)}: INA219 config after reset expected ${hex16(INA219_POWER_ON_CONFIG)}, found ${hex16(after)}`,
      );
    }
    await this.apply(this.cfg);
    await this.writeRegister(INA219_REG.CALIBRATION, this.calibration.cal);
  }

  async setRanges(r: { busRangeV?: Ina219BusRange; shuntRangeMv?: Ina219ShuntRange }): Promise<void> {
    await this.apply({ ...this.cfg, busRangeV: r.busRangeV ?? this.cfg.busRangeV, shuntRangeMv: r.shuntRangeMv ?? this.cfg.shuntRangeMv });
  }

  async setAdc(a: { bus?: Ina219Adc; shunt?: Ina219Adc }): Promise<void> {
    await this.apply({ ...this.cfg, busAdc: a.bus ?? this.cfg.busAdc, shuntAdc: a.shunt ?? this.cfg.shuntAdc });
  }

  async read(): Promise<Ina219Reading> {
    const r = this.reading;
    const bus = await this.readRegister(INA219_REG.BUS_VOLTAGE);
    r.busV = (bus >> 3) * INA219_BUS_LSB_V;
    r.overflow = (bus & INA219_BIT.BUS_OVF) !== 0;
    r.shuntV = s16(await this.readRegister(INA219_REG.SHUNT_VOLTAGE)) * INA219_SHUNT_LSB_V;
    r.currentA = s16(await this.readRegister(INA219_REG.CURRENT)) * this.calibration.currentLsbA;
    r.powerW = (await this.readRegister(INA219_REG.POWER)) * this.calibration.powerLsbW;
    return r;
  }

  async sample(out: Float64Array): Promise<void> {
    const r = await this.read();
    out[0] = r.busV;
    out[1] = r.shuntV;
    out[2] = r.overflow ? NaN : r.currentA;
    out[3] = r.overflow ? NaN : r.powerW;
  }

  async close(): Promise<I2cBus> {
    return this.bus;
  }

  private async apply(next: Ina219Config): Promise<void> {
    await this.writeRegister(INA219_REG.CONFIG, encodeConfig(next));
    this.cfg = next;
  }

  private readRegister(reg: number): Promise<number> {
    return this.port.readU16(reg);
  }

  private writeRegister(reg: number, value: number): Promise<void> {
    return this.port.writeU16(reg, value);
  }
}

function s16(v: number): number {
  return (v << 16) >> 16;
}

function encodeConfig(c: Ina219Config): number {
  if (c.busRangeV !== 16 && c.busRangeV !== 32) throw new RangeError(`bus range must be 16 or 32 V, got ${String(c.busRangeV)}`);
  return (
    (c.busRangeV === 32 ? INA219_BIT.BRNG_32V : 0) |
    (lookup(PG, c.shuntRangeMv, 'shunt range mV') << 11) |
    (lookup(INA219_ADC, c.busAdc, 'bus ADC') << 7) |
    (lookup(INA219_ADC, c.shuntAdc, 'shunt ADC') << 3) |
    INA219_BIT.MODE_SHUNT_BUS_CONTINUOUS
  );
}
