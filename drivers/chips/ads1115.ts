import { SystemClock, type Clock } from '../hal/clock.js';
import { HalError } from '../hal/errors.js';
import { checkAddress, formatAddress, type I2cBus } from '../hal/i2c.js';
import { hex16, lookup, type ChipDriver } from './chip.js';
import { delay, RegisterPort } from './register-port.js';

/** Register pointer values (datasheet 8.6.1). Registers are 16-bit, big-endian. */
export const ADS1115_REG = {
  CONVERSION: 0x00,
  CONFIG: 0x01,
  LO_THRESH: 0x02,
  HI_THRESH: 0x03,
} as const;

export const ADS1115_BIT = {
  OS: 0b1000_0000_0000_0000, // write 1: start a conversion; read 0: converting
  MODE_SINGLE_SHOT: 0b0000_0001_0000_0000,
  COMP_QUE_DISABLE: 0b0000_0000_0000_0011,
} as const;

export const ADS1115_POWER_ON_CONFIG = 0x8583;

/** Input multiplexer: differential pairs, or one input against GND. Power-on: `ain0-ain1`. */
export type Ads1115Mux = 'ain0-ain1' | 'ain0-ain3' | 'ain1-ain3' | 'ain2-ain3' | 'ain0' | 'ain1' | 'ain2' | 'ain3';
/** Full-scale range of the PGA, volts (±). Power-on: 2.048. */
export type Ads1115FullScale = 6.144 | 4.096 | 2.048 | 1.024 | 0.512 | 0.256;
/** Samples per second. Power-on: 128. */
export type Ads1115DataRate = 8 | 16 | 32 | 64 | 128 | 250 | 475 | 860;
/** Power-on: single-shot. */
export type Ads1115Mode = 'single-shot' | 'continuous';

export const ADS1115_MUX = new Map<Ads1115Mux, number>([
  ['ain0-ain1', 0], ['ain0-ain3', 1], ['ain1-ain3', 2], ['ain2-ain3', 3], ['ain0', 4], ['ain1', 5], ['ain2', 6], ['ain3', 7],
]);
const PGA = new Map<number, number>([[6.144, 0], [4.096, 1], [2.048, 2], [1.024, 3], [0.512, 4], [0.256, 5]]);
/** Power-on data rate, samples per second. */
export const ADS1115_DEFAULT_SPS = 128;

const DR = new Map<number, number>([[8, 0], [16, 1], [32, 2], [64, 3], [128, 4], [250, 5], [475, 6], [860, 7]]);

export interface Ads1115Options {
  /** 0x48 (ADDR to GND, default), 0x49, 0x4A, 0x4B. */
  address?: number;
  /** Default `single-shot` (power-on). */
  mode?: Ads1115Mode;
  /** Default `ain0-ain1` (power-on). */
  mux?: Ads1115Mux;
  /** Default ±2.048 V (power-on). */
  fullScaleV?: Ads1115FullScale;
  /** Default 128 SPS (power-on). */
  dataRateSps?: Ads1115DataRate;
  /**
   * Inputs `sample()` converts, in order (one value per entry). Default: just `mux`.
   * More than one needs single-shot mode (the mux is switched per conversion).
   */
  channels?: readonly Ads1115Mux[];
  /** Clock for conversion waits; default the system clock. */
  clock?: Clock;
}

interface Ads1115Config {
  readonly mode: Ads1115Mode;
  readonly mux: Ads1115Mux;
  readonly fullScaleV: Ads1115FullScale;
  readonly dataRateSps: Ads1115DataRate;
}

/** TI ADS1115 16-bit ADC. The comparator is left disabled (power-on). */
export class Ads1115 implements ChipDriver {
  readonly chip = 'ads1115' as const;
  readonly address: number;
  readonly channels: readonly string[];
  private readonly scan: readonly Ads1115Mux[];
  private readonly port: RegisterPort;
  private readonly clock: Clock;
  private cfg: Ads1115Config;

  constructor(
    readonly bus: I2cBus,
    options: Ads1115Options = {},
  ) {
    this.address = options.address ?? 0x48;
    checkAddress(bus.name, this.address);
    this.port = new RegisterPort(bus, this.address);
    this.clock = options.clock ?? new SystemClock();
    this.cfg = {
      mode: options.mode ?? 'single-shot',
      mux: options.mux ?? options.channels?.[0] ?? 'ain0-ain1',
      fullScaleV: options.fullScaleV ?? 2.048,
      dataRateSps: options.dataRateSps ?? ADS1115_DEFAULT_SPS,
    };
    if (this.cfg.mode !== 'single-shot' && this.cfg.mode !== 'continuous') {
      throw new RangeError(`mode must be single-shot or continuous, got ${String(this.cfg.mode)}`);
    }
    encodeConfig(this.cfg, false); // validates before any bus traffic
    this.scan = options.channels && options.channels.length > 0 ? [...options.channels] : [this.cfg.mux];
    for (const m of this.scan) lookup(ADS1115_MUX, m, 'channel');
    if (this.scan.length > 1 && this.cfg.mode !== 'single-shot') {
      throw new RangeError(`ads1115: scanning ${this.scan.length} channels needs mode single-shot`);
    }
    this.channels = this.scan.map((m) => `${m.replace('-', '_')}_v`);
  }

  get config(): Readonly<Ads1115Config> {
    return this.cfg;
  }

  get sampleIsReadOnly(): boolean {
    return this.cfg.mode === 'continuous';
  }

  get sampleWaitMs(): number {
    return this.cfg.mode === 'continuous' ? 0 : this.scan.length * (2 * ads1115ConversionMs(this.cfg.dataRateSps) + 2);
  }

  /** Volts per LSB for the current range (±4.096 V → 125 µV). */
  get lsbV(): number {
    return this.cfg.fullScaleV / 32768;
  }

  /**
   * Writes the configuration and reads it back: the ADS1115 has no id register, so a config
   * that does not stick is how a wrong or absent chip shows.
   */
  async init(): Promise<void> {
    await this.apply(this.cfg);
    const back = await this.readRegister(ADS1115_REG.CONFIG);
    const want = encodeConfig(this.cfg, false);
    if ((back & ~ADS1115_BIT.OS) !== (want & ~ADS1115_BIT.OS)) {
      throw new HalError('other', `${this.where()}: config reads back ${hex16(back)}, wrote ${hex16(want)}: not an ADS1115?`);
    }
  }

  async setMux(mux: Ads1115Mux): Promise<void> {
    await this.apply({ ...this.cfg, mux });
  }

  async setFullScale(fullScaleV: Ads1115FullScale): Promise<void> {
    await this.apply({ ...this.cfg, fullScaleV });
  }

  async setDataRate(dataRateSps: Ads1115DataRate): Promise<void> {
    await this.apply({ ...this.cfg, dataRateSps });
  }

  async setMode(mode: Ads1115Mode): Promise<void> {
    await this.apply({ ...this.cfg, mode });
  }

  /**
   * Single-shot conversion on `mux` (default the configured one): starts it, waits one
   * conversion time on the clock, then polls the OS bit for at most another conversion time
   * plus 2 ms before giving up with a timeout.
   */
  async readSingleShot(mux: Ads1115Mux = this.cfg.mux): Promise<number> {
    if (this.cfg.mode !== 'single-shot') throw new HalError('invalid', `${this.where()}: readSingleShot in continuous mode`);
    // Scanning switches the mux per conversion without touching the configured default
    // (and without building a config object per sample).
    await this.writeRegister(ADS1115_REG.CONFIG, encodeConfig(this.cfg, true, mux));
    const convMs = ads1115ConversionMs(this.cfg.dataRateSps);
    await delay(this.clock, convMs);
    const deadline = this.clock.now() + convMs + 2;
    while (!((await this.readRegister(ADS1115_REG.CONFIG)) & ADS1115_BIT.OS)) {
      if (this.clock.now() >= deadline) throw new HalError('timeout', `${this.where()}: conversion did not finish (OS bit still 0)`);
      await delay(this.clock, 1);
    }
    return this.toVolts(await this.readRegister(ADS1115_REG.CONVERSION));
  }

  /** Latest conversion in continuous mode, volts. */
  async readContinuous(): Promise<number> {
    return this.toVolts(await this.readRegister(ADS1115_REG.CONVERSION));
  }

  async sample(out: Float64Array): Promise<void> {
    if (this.cfg.mode === 'continuous') {
      out[0] = await this.readContinuous();
      return;
    }
    for (let i = 0; i < this.scan.length; i++) out[i] = await this.readSingleShot(this.scan[i]!);
  }

  /** Stops continuous conversions (best effort) and returns the bus. */
  async close(): Promise<I2cBus> {
    try {
      if (this.cfg.mode === 'continuous') await this.writeRegister(ADS1115_REG.CONFIG, encodeConfig({ ...this.cfg, mode: 'single-shot' }, false));
    } catch {
      // handing the bus back matters more than a chip we cannot reach
    }
    return this.bus;
  }

  private toVolts(raw: number): number {
    return ((raw << 16) >> 16) * this.lsbV;
  }

  private async apply(next: Ads1115Config): Promise<void> {
    await this.writeRegister(ADS1115_REG.CONFIG, encodeConfig(next, false));
    this.cfg = next;
  }

  private readRegister(reg: number): Promise<number> {
    return this.port.readU16(reg);
  }

  private writeRegister(reg: number, value: number): Promise<void> {
    return this.port.writeU16(reg, value);
  }

  private where(): string {
    return `${this.bus.name} addr ${formatAddress(this.address)} ADS1115`;
  }
}

/** Config word; `start` sets OS (begin a single-shot conversion); `mux` overrides the configured input. */
function encodeConfig(c: Ads1115Config, start: boolean, mux: Ads1115Mux = c.mux): number {
  return (
    (start ? ADS1115_BIT.OS : 0) |
    (lookup(ADS1115_MUX, mux, 'mux') << 12) |
    (lookup(PGA, c.fullScaleV, 'full-scale volts') << 9) |
    (c.mode === 'single-shot' ? ADS1115_BIT.MODE_SINGLE_SHOT : 0) |
    (lookup(DR, c.dataRateSps, 'data rate') << 5) |
    ADS1115_BIT.COMP_QUE_DISABLE
  );
}

/** One single-shot conversion at `sps`, whole ms (what the driver waits before polling the OS bit). */
export function ads1115ConversionMs(sps: number): number {
  return Math.ceil(1000 / sps);
}
