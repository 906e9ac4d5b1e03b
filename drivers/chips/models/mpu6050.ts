import type { SimI2cDevice } from '../../backends/sim/i2c.js';
import type { Clock } from '../../hal/clock.js';
import type { ChipModel } from './chip-model.js';
import { RegisterFile } from './register-file.js';
import { clampInt } from './word-register-file.js';

const GYRO_CONFIG = 0x1b;
const ACCEL_CONFIG = 0x1c;
const DATA = 0x3b;
const DATA_END = 0x48;
const PWR_MGMT_1 = 0x6b;
const WHO_AM_I = 0x75;
const SLEEP = 0x40;
const RESET = 0x80;

export interface Mpu6050ModelOptions {
  /** Needed for a vibration signal (its phase follows the clock). */
  clock?: Clock;
}

const INPUTS = [
  'accel_x_g', 'accel_y_g', 'accel_z_g', 'gyro_x_dps', 'gyro_y_dps', 'gyro_z_dps', 'temperature_c',
  'vibration_amplitude_g', 'vibration_frequency_hz',
] as const;

/**
 * Register-level MPU-6050: WHO_AM_I, PWR_MGMT_1 with sleep at power-on (data registers do
 * not update while asleep), range registers, and the 14-byte data block, latched when a read
 * starts inside it. A vibration signal (sine on one axis, amplitude g, frequency Hz, phase on
 * the clock) is added to the static acceleration.
 */
export class Mpu6050Model extends RegisterFile implements SimI2cDevice, ChipModel {
  readonly chip = 'mpu6050' as const;
  readonly inputs = INPUTS;
  /** Static acceleration, g (default: lying flat, 1 g on z). */
  readonly accelG = new Float64Array([0, 0, 1]);
  readonly gyroDps = new Float64Array(3);
  temperatureC = 25;
  vibration = { axis: 2 as 0 | 1 | 2, amplitudeG: 0, frequencyHz: 0 };
  frozen = false;
  chipId = 0x68;
  private readonly clock: Clock | undefined;

  constructor(options: Mpu6050ModelOptions = {}) {
    super();
    this.clock = options.clock;
    this.powerOn();
  }

  setInput(name: string, value: number): void {
    const i = (INPUTS as readonly string[]).indexOf(name);
    if (i < 0) throw new RangeError(`mpu6050 model has no input "${name}" (has ${INPUTS.join(', ')})`);
    if (i < 3) this.accelG[i] = value;
    else if (i < 6) this.gyroDps[i - 3] = value;
    else if (i === 6) this.temperatureC = value;
    else if (i === 7) this.vibration.amplitudeG = value;
    else this.vibration.frequencyHz = value;
  }

  setVibration(v: { axis?: 0 | 1 | 2; amplitudeG: number; frequencyHz: number }): void {
    if (v.amplitudeG !== 0 && !this.clock) throw new Error('mpu6050 model: a vibration signal needs a clock');
    this.vibration = { axis: v.axis ?? 2, amplitudeG: v.amplitudeG, frequencyHz: v.frequencyHz };
  }

  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  setChipId(id: number): void {
    this.chipId = id;
  }

  get asleep(): boolean {
    return (this.regs[PWR_MGMT_1]! & SLEEP) !== 0;
  }

  protected override store(data: Uint8Array): void {
    // MPU-6050 burst writes auto-increment.
    for (let i = 1; i < data.length; i++) this.writeReg((data[0]! + i - 1) & 0xff, data[i]!);
  }

  protected override beforeRead(reg: number): void {
    if (reg >= DATA && reg <= DATA_END && !this.asleep && !this.frozen) this.latch();
  }

  protected override load(reg: number): number {
    return reg === WHO_AM_I ? this.chipId & 0xff : this.regs[reg]!;
  }

  private writeReg(reg: number, value: number): void {
    if (reg === WHO_AM_I || (reg >= DATA && reg <= DATA_END)) return; // read-only
    if (reg === PWR_MGMT_1 && value & RESET) {
      this.powerOn();
      return;
    }
    this.regs[reg] = value;
  }

  private latch(): void {
    const aLsb = 16384 >> ((this.regs[ACCEL_CONFIG]! >> 3) & 3);
    const gLsb = 131 / (1 << ((this.regs[GYRO_CONFIG]! >> 3) & 3));
    const v = this.vibration;
    const t = this.clock ? this.clock.now() / 1000 : 0;
    const vib = v.amplitudeG * Math.sin(2 * Math.PI * v.frequencyHz * t);
    for (let i = 0; i < 3; i++) {
      const a = this.accelG[i]! + (i === v.axis ? vib : 0);
      this.put(DATA + 2 * i, clampInt(a * aLsb, -32768, 32767));
      this.put(DATA + 8 + 2 * i, clampInt(this.gyroDps[i]! * gLsb, -32768, 32767));
    }
    this.put(DATA + 6, clampInt((this.temperatureC - 36.53) * 340, -32768, 32767));
  }

  private put(reg: number, v: number): void {
    this.regs[reg] = (v >> 8) & 0xff;
    this.regs[reg + 1] = v & 0xff;
  }

  private powerOn(): void {
    this.regs.fill(0);
    this.regs[PWR_MGMT_1] = SLEEP;
    this.regs[WHO_AM_I] = 0x68;
  }
}
