import { checkAddress, type I2cBus } from '../hal/i2c.js';
import { lookup, wrongChipId, type ChipDriver } from './chip.js';
import { RegisterPort } from './register-port.js';
import { VibrationRms } from './vibration-rms.js';

/** Register map (register map document RM-MPU-6000A). */
export const MPU6050_REG = {
  SMPLRT_DIV: 0x19,
  CONFIG: 0x1a,
  GYRO_CONFIG: 0x1b,
  ACCEL_CONFIG: 0x1c,
  ACCEL_XOUT_H: 0x3b, // 14 bytes: accel x/y/z, temperature, gyro x/y/z, big-endian
  PWR_MGMT_1: 0x6b,
  WHO_AM_I: 0x75,
} as const;

export const MPU6050_WHO_AM_I = 0x68;
export const MPU6050_BIT = {
  DEVICE_RESET: 0b1000_0000,
  SLEEP: 0b0100_0000,
} as const;

/** ±g. Power-on 2. */
export type Mpu6050AccelRange = 2 | 4 | 8 | 16;
/** ±degrees per second. Power-on 250. */
export type Mpu6050GyroRange = 250 | 500 | 1000 | 2000;
/** Digital low-pass filter setting 0–6 (0: 260 Hz accel bandwidth, power-on). */
export type Mpu6050Dlpf = 0 | 1 | 2 | 3 | 4 | 5 | 6;
/** Clock: internal 8 MHz oscillator (power-on) or the X gyro's PLL (the datasheet's advice). */
export type Mpu6050ClockSource = 'internal' | 'pll-x';

const ACCEL = new Map<number, number>([[2, 0], [4, 1], [8, 2], [16, 3]]);
const GYRO = new Map<number, number>([[250, 0], [500, 1], [1000, 2], [2000, 3]]);
const CLOCK = new Map<string, number>([['internal', 0], ['pll-x', 1]]);

export interface Mpu6050Options {
  /** 0x68 (AD0 low, default) or 0x69. */
  address?: number;
  accelRangeG?: Mpu6050AccelRange;
  gyroRangeDps?: Mpu6050GyroRange;
  dlpf?: Mpu6050Dlpf;
  /** Sample rate = gyro rate / (1 + divider). Default 0 (power-on). */
  sampleRateDivider?: number;
  clockSource?: Mpu6050ClockSource;
  /** Samples in the vibration RMS window. Default 64. */
  vibrationWindow?: number;
}

interface Mpu6050Config {
  readonly accelRangeG: Mpu6050AccelRange;
  readonly gyroRangeDps: Mpu6050GyroRange;
  readonly dlpf: Mpu6050Dlpf;
  readonly sampleRateDivider: number;
  readonly clockSource: Mpu6050ClockSource;
}

/** One burst read, reused by every `read()`. */
export interface Mpu6050Reading {
  accelG: Float64Array; // x, y, z
  gyroDps: Float64Array; // x, y, z
  temperatureC: number;
}

/** InvenSense MPU-6050 accelerometer/gyroscope, with vibration RMS for fan and pole health. */
export class Mpu6050 implements ChipDriver {
  readonly chip = 'mpu6050' as const;
  readonly channels = ['accel_x_g', 'accel_y_g', 'accel_z_g', 'temperature_c', 'gyro_x_dps', 'gyro_y_dps', 'gyro_z_dps', 'vibration_rms_g'] as const;
  readonly sampleIsReadOnly = true;
  readonly sampleWaitMs = 0;
  readonly address: number;
  readonly vibration: VibrationRms;
  private readonly port: RegisterPort;
  private cfg: Mpu6050Config;
  private readonly burst = new Uint8Array(14);
  readonly reading: Mpu6050Reading = { accelG: new Float64Array(3), gyroDps: new Float64Array(3), temperatureC: NaN };

  constructor(
    readonly bus: I2cBus,
    options: Mpu6050Options = {},
  ) {
    this.address = options.address ?? 0x68;
    checkAddress(bus.name, this.address);
    this.port = new RegisterPort(bus, this.address);
    this.cfg = {
      accelRangeG: options.accelRangeG ?? 2,
      gyroRangeDps: options.gyroRangeDps ?? 250,
      dlpf: options.dlpf ?? 0,
      sampleRateDivider: options.sampleRateDivider ?? 0,
      clockSource: options.clockSource ?? 'internal',
    };
    validate(this.cfg);
    this.vibration = new VibrationRms(options.vibrationWindow ?? 64);
  }

  get config(): Readonly<Mpu6050Config> {
    return this.cfg;
  }

  /** LSB per g for the current range (±2 g → 16384). */
  get accelLsbPerG(): number {
    return 16384 / (this.cfg.accelRangeG / 2);
  }

  /** LSB per °/s for the current range (±250 → 131). */
  get gyroLsbPerDps(): number {
    return 131 / (this.cfg.gyroRangeDps / 250);
  }

  /** WHO_AM_I check, wake from sleep (power-on has SLEEP set), ranges and filter. */
  async init(): Promise<void> {
    const id = await this.readRegister(MPU6050_REG.WHO_AM_I);
    if ((id & 0x7e) !== MPU6050_WHO_AM_I) throw wrongChipId(this.bus, this.address, 'MPU-6050', MPU6050_WHO_AM_I, id);
    await this.writeRegister(MPU6050_REG.PWR_MGMT_1, lookup(CLOCK, this.cfg.clockSource, 'clock source'));
    await this.apply(this.cfg);
    this.vibration.reset();
  }

  async setAccelRange(accelRangeG: Mpu6050AccelRange): Promise<void> {
    await this.apply({ ...this.cfg, accelRangeG });
  }

  async setGyroRange(gyroRangeDps: Mpu6050GyroRange): Promise<void> {
    await this.apply({ ...this.cfg, gyroRangeDps });
  }

  async setDlpf(dlpf: Mpu6050Dlpf): Promise<void> {
    await this.apply({ ...this.cfg, dlpf });
  }

  /** Puts the chip to sleep. */
  async sleep(): Promise<void> {
    await this.writeRegister(MPU6050_REG.PWR_MGMT_1, MPU6050_BIT.SLEEP | lookup(CLOCK, this.cfg.clockSource, 'clock source'));
  }

  /** One 14-byte burst (accel, temperature, gyro are from the same instant), fed to the vibration window. */
  async read(): Promise<Mpu6050Reading> {
    const b = this.burst;
    await this.port.read(MPU6050_REG.ACCEL_XOUT_H, b);
    const r = this.reading;
    const a = this.accelLsbPerG;
    const g = this.gyroLsbPerDps;
    r.accelG[0] = be16(b, 0) / a;
    r.accelG[1] = be16(b, 2) / a;
    r.accelG[2] = be16(b, 4) / a;
    r.temperatureC = be16(b, 6) / 340 + 36.53; // register map section 4.18
    r.gyroDps[0] = be16(b, 8) / g;
    r.gyroDps[1] = be16(b, 10) / g;
    r.gyroDps[2] = be16(b, 12) / g;
    this.vibration.push(r.accelG[0]!, r.accelG[1]!, r.accelG[2]!);
    return r;
  }

  async sample(out: Float64Array): Promise<void> {
    const r = await this.read();
    out[0] = r.accelG[0]!;
    out[1] = r.accelG[1]!;
    out[2] = r.accelG[2]!;
    out[3] = r.temperatureC;
    out[4] = r.gyroDps[0]!;
    out[5] = r.gyroDps[1]!;
    out[6] = r.gyroDps[2]!;
    out[7] = this.vibration.rms();
  }

  async close(): Promise<I2cBus> {
    try {
      await this.sleep();
    } catch {
      // the bus goes back regardless
    }
    return this.bus;
  }

  private async apply(next: Mpu6050Config): Promise<void> {
    validate(next);
    await this.writeRegister(MPU6050_REG.SMPLRT_DIV, next.sampleRateDivider);
    await this.writeRegister(MPU6050_REG.CONFIG, next.dlpf);
    await this.writeRegister(MPU6050_REG.GYRO_CONFIG, lookup(GYRO, next.gyroRangeDps, 'gyro range dps') << 3);
    await this.writeRegister(MPU6050_REG.ACCEL_CONFIG, lookup(ACCEL, next.accelRangeG, 'accel range g') << 3);
    this.cfg = next;
  }

  private readRegister(reg: number): Promise<number> {
    return this.port.readU8(reg);
  }

  private writeRegister(reg: number, value: number): Promise<void> {
    return this.port.writeU8(reg, value);
  }
}

function be16(b: Uint8Array, i: number): number {
  return (((b[i]! << 8) | b[i + 1]!) << 16) >> 16;
}

function validate(c: Mpu6050Config): void {
  lookup(ACCEL, c.accelRangeG, 'accel range g');
  lookup(GYRO, c.gyroRangeDps, 'gyro range dps');
  lookup(CLOCK, c.clockSource, 'clock source');
  if (!Number.isInteger(c.dlpf) || c.dlpf < 0 || c.dlpf > 6) throw new RangeError(`dlpf must be 0-6, got ${c.dlpf}`);
  if (!Number.isInteger(c.sampleRateDivider) || c.sampleRateDivider < 0 || c.sampleRateDivider > 255) {
    throw new RangeError(`sample rate divider must be 0-255, got ${c.sampleRateDivider}`);
  }
}
