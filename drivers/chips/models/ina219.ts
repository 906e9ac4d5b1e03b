import type { SimI2cDevice } from '../../backends/sim/i2c.js';
import type { ChipModel } from './chip-model.js';
import { clampInt, WordRegisterFile } from './word-register-file.js';

const CONFIG = 0x00;
const SHUNT = 0x01;
const BUS = 0x02;
const POWER = 0x03;
const CURRENT = 0x04;
const CALIBRATION = 0x05;
const POWER_ON = 0x399f;
/** PG code → shunt register full scale in 10 µV LSBs. */
const SHUNT_FULL = [4000, 8000, 16000, 32000];

export interface Ina219ModelOptions {
  /** The shunt resistor actually fitted, ohms (default 0.1). */
  shuntOhms?: number;
  busV?: number;
  currentA?: number;
}

/**
 * Register-level INA219: config with reset, shunt/bus voltage registers (shunt clipped to the
 * PGA range, OVF set when it clips), and current/power computed from the calibration register
 * with the chip's own integer formulas (datasheet 8.5.1). Inputs `bus_v` and `current_a`.
 */
export class Ina219Model extends WordRegisterFile implements SimI2cDevice, ChipModel {
  readonly chip = 'ina219' as const;
  readonly inputs = ['bus_v', 'current_a'] as const;
  readonly shuntOhms: number;
  busV: number;
  currentA: number;
  frozen = false;
  private config = POWER_ON;
  private cal = 0;
  private shuntReg = 0;
  private busReg = 0;
  private ovf = false;

  constructor(options: Ina219ModelOptions = {}) {
    super();
    this.shuntOhms = options.shuntOhms ?? 0.1;
    this.busV = options.busV ?? 0;
    this.currentA = options.currentA ?? 0;
  }

  setInput(name: string, value: number): void {
    if (name === 'bus_v') this.busV = value;
    else if (name === 'current_a') this.currentA = value;
    else throw new RangeError(`ina219 model has no input "${name}" (has ${this.inputs.join(', ')})`);
  }

  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  /** The INA219 has no identity register. */
  setChipId(_id: number): void {}

  get calibrationRegister(): number {
    return this.cal;
  }

  protected readWord(reg: number): number {
    this.convert();
    switch (reg) {
      case CONFIG:
        return this.config;
      case SHUNT:
        return this.shuntReg & 0xffff;
      case BUS:
        return ((this.busReg << 3) | 0b10 | (this.ovf ? 1 : 0)) & 0xffff;
      case POWER:
        return this.cal === 0 ? 0 : clampInt(Math.trunc((this.currentReg() * this.busReg) / 5000), 0, 0xffff);
      case CURRENT:
        return this.currentReg() & 0xffff;
      case CALIBRATION:
        return this.cal;
      default:
        return 0;
    }
  }

  protected writeWord(reg: number, value: number): void {
    if (reg === CONFIG) {
      if (value & 0x8000) {
        this.config = POWER_ON;
        this.cal = 0;
      } else this.config = value;
    } else if (reg === CALIBRATION) this.cal = value & 0xfffe;
  }

  private currentReg(): number {
    return this.cal === 0 ? 0 : clampInt(Math.trunc((this.shuntReg * this.cal) / 4096), -32768, 32767);
  }

  /** Latches a conversion from the physical inputs (continuous mode converts all the time). */
  private convert(): void {
    if (this.frozen) return;
    const full = SHUNT_FULL[(this.config >> 11) & 3]!;
    const raw = Math.round((this.currentA * this.shuntOhms) / 10e-6);
    this.ovf = raw > full || raw < -full;
    this.shuntReg = clampInt(raw, -full, full);
    const maxBus = this.config & 0x2000 ? 32 : 16;
    this.busReg = clampInt(Math.min(this.busV, maxBus) / 0.004, 0, 8191);
  }
}
