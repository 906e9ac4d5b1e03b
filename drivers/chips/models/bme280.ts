import type { SimI2cDevice } from '../../backends/sim/i2c.js';
import {
  bme280Humidity, bme280Pressure, bme280TFine, bme280Temperature, encodeBme280Calibration, type Bme280Calibration,
} from '../bme280-compensation.js';
import type { ChipModel } from './chip-model.js';
import { invertMonotonic, RegisterFile } from './register-file.js';

/**
 * Calibration the model is programmed with: the temperature and pressure words of the
 * datasheet's worked example (section 8.2 / 4.2.3), humidity words read off a real part.
 */
export const BME280_MODEL_CALIBRATION: Readonly<Bme280Calibration> = {
  T1: 27504, T2: 26435, T3: -1000,
  P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
  H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30,
};

export interface Bme280ModelOptions {
  calibration?: Bme280Calibration;
  temperatureC?: number;
  pressurePa?: number;
  humidityPct?: number;
}

const CHIP_ID = 0xd0;
const RESET = 0xe0;
const CTRL_HUM = 0xf2;
const STATUS = 0xf3;
const CTRL_MEAS = 0xf4;
const CONFIG = 0xf5;
const DATA = 0xf7;
const WRITABLE = new Set([RESET, CTRL_HUM, CTRL_MEAS, CONFIG]);

/**
 * Register-level BME280: chip id, calibration NVM, ctrl registers, forced and normal mode.
 * Physical values are encoded into raw ADC counts by inverting the compensation for this
 * calibration, so the driver reads back what was set (to the chip's resolution). Measurements
 * complete instantly (the measuring bit never shows) and the IIR filter is not modelled.
 */
export class Bme280Model extends RegisterFile implements SimI2cDevice, ChipModel {
  readonly chip = 'bme280' as const;
  readonly inputs = ['temperature_c', 'pressure_pa', 'humidity_pct'] as const;
  private readonly calib: Bme280Calibration;
  temperatureC: number;
  pressurePa: number;
  humidityPct: number;
  /** Fault: the data registers stop updating (a hung measurement engine). */
  frozen = false;
  /** Fault: what CHIP_ID reads (0x58 is a BMP280). */
  chipId = 0x60;
  measurements = 0;

  constructor(options: Bme280ModelOptions = {}) {
    super();
    this.calib = { ...(options.calibration ?? BME280_MODEL_CALIBRATION) };
    this.temperatureC = options.temperatureC ?? 20;
    this.pressurePa = options.pressurePa ?? 101325;
    this.humidityPct = options.humidityPct ?? 50;
    this.powerOn();
  }

  setInput(name: string, value: number): void {
    if (name === 'temperature_c') this.temperatureC = value;
    else if (name === 'pressure_pa') this.pressurePa = value;
    else if (name === 'humidity_pct') this.humidityPct = value;
    else throw new RangeError(`bme280 model has no input "${name}" (has ${this.inputs.join(', ')})`);
  }

  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  setChipId(id: number): void {
    this.chipId = id;
  }

  /** Mode bits of CTRL_MEAS: 0 sleep, 1/2 forced, 3 normal. */
  get mode(): number {
    return this.regs[CTRL_MEAS]! & 0b11;
  }

  /** Raw counts for the current physical values: what a measurement would latch. */
  encode(): { adcT: number; adcP: number; adcH: number } {
    const c = this.calib;
    // Invert what the driver will output (0.01 °C steps), so the rounding lands on the nearest step.
    const adcT = invertMonotonic((x) => bme280Temperature(bme280TFine(x, c)), this.temperatureC, 0, 0xfffff);
    const tFine = bme280TFine(adcT, c);
    const adcP = invertMonotonic((x) => bme280Pressure(x, tFine, c), this.pressurePa, 0, 0xfffff);
    const adcH = invertMonotonic((x) => bme280Humidity(x, tFine, c), Math.min(100, Math.max(0, this.humidityPct)), 0, 0xffff);
    return { adcT, adcP, adcH };
  }

  protected override store(data: Uint8Array): void {
    // BME280 multi-byte writes are register/value pairs, not auto-increment.
    for (let i = 0; i + 1 < data.length; i += 2) {
      this.writeReg(data[i]!, data[i + 1]!);
    }
  }

  protected override beforeRead(reg: number): void {
    if (this.mode === 0b11 && reg >= DATA && !this.frozen) this.measure();
  }

  protected override load(reg: number): number {
    if (reg === CHIP_ID) return this.chipId & 0xff;
    return this.regs[reg]!;
  }

  private writeReg(reg: number, value: number): void {
    if (!WRITABLE.has(reg)) return; // read-only registers ignore writes
    if (reg === RESET) {
      if (value === 0xb6) this.powerOn();
      return;
    }
    this.regs[reg] = value;
    if (reg === CTRL_MEAS) {
      const mode = value & 0b11;
      if (mode === 0b01 || mode === 0b10) {
        if (!this.frozen) this.measure();
        this.regs[CTRL_MEAS] = value & ~0b11; // back to sleep after one forced measurement
      }
    }
  }

  private measure(): void {
    this.measurements++;
    const osrsH = this.regs[CTRL_HUM]! & 0b111;
    const meas = this.regs[CTRL_MEAS]!;
    const osrsT = meas >> 5;
    const osrsP = (meas >> 2) & 0b111;
    const { adcT, adcP, adcH } = this.encode();
    const t = osrsT ? adcT : 0x80000;
    const p = osrsP ? adcP : 0x80000;
    const h = osrsH ? adcH : 0x8000;
    const r = this.regs;
    r[DATA] = p >> 12; r[DATA + 1] = (p >> 4) & 0xff; r[DATA + 2] = (p & 0xf) << 4;
    r[DATA + 3] = t >> 12; r[DATA + 4] = (t >> 4) & 0xff; r[DATA + 5] = (t & 0xf) << 4;
    r[DATA + 6] = h >> 8; r[DATA + 7] = h & 0xff;
  }

  private powerOn(): void {
    this.regs.fill(0);
    const { a, b } = encodeBme280Calibration(this.calib);
    this.regs.set(a, 0x88);
    this.regs.set(b, 0xe1);
    // Data registers hold their reset values until the first measurement.
    this.regs.set([0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00], DATA);
    this.regs[STATUS] = 0;
  }
}
