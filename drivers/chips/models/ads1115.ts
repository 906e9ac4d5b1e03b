import type { SimI2cDevice } from '../../backends/sim/i2c.js';
import type { Clock } from '../../hal/clock.js';
import type { ChipModel } from './chip-model.js';
import { clampInt, WordRegisterFile } from './word-register-file.js';

const CONVERSION = 0x00;
const CONFIG = 0x01;
const LO_THRESH = 0x02;
const HI_THRESH = 0x03;
const OS = 0x8000;
const MODE_SINGLE = 0x0100;
const FSR = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
const SPS = [8, 16, 32, 64, 128, 250, 475, 860];
/** MUX code → [positive input, negative input or -1 for GND]. */
const PAIRS: readonly (readonly [number, number])[] = [[0, 1], [0, 3], [1, 3], [2, 3], [0, -1], [1, -1], [2, -1], [3, -1]];

export interface Ads1115ModelOptions {
  /** With a clock, a single-shot conversion takes 1/SPS and OS reads 0 until then; without, it is instant. */
  clock?: Clock;
  volts?: readonly number[];
}

/**
 * Register-level ADS1115: config with OS/MUX/PGA/MODE/DR, conversion register, single-shot
 * and continuous conversion of the four input voltages (`ain0_v` … `ain3_v`), clipped to the
 * PGA range like the real part. The comparator is not modelled. It has no id register.
 */
export class Ads1115Model extends WordRegisterFile implements SimI2cDevice, ChipModel {
  readonly chip = 'ads1115' as const;
  readonly inputs = ['ain0_v', 'ain1_v', 'ain2_v', 'ain3_v'] as const;
  readonly volts = new Float64Array(4);
  frozen = false;
  conversions = 0;
  private config = 0x8583;
  private conversion = 0;
  private lo = 0x8000;
  private hi = 0x7fff;
  private busyUntil = -1;
  private readonly clock: Clock | undefined;

  constructor(options: Ads1115ModelOptions = {}) {
    super();
    this.clock = options.clock;
    if (options.volts) this.volts.set(options.volts.slice(0, 4));
  }

  setInput(name: string, value: number): void {
    const i = (this.inputs as readonly string[]).indexOf(name);
    if (i < 0) throw new RangeError(`ads1115 model has no input "${name}" (has ${this.inputs.join(', ')})`);
    this.volts[i] = value;
  }

  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  /** The ADS1115 has no identity register. */
  setChipId(_id: number): void {}

  get configWord(): number {
    return this.config;
  }

  protected readWord(reg: number): number {
    switch (reg & 0x03) {
      case CONVERSION:
        if (!(this.config & MODE_SINGLE)) this.convert(); // continuous: always the latest input
        return this.conversion;
      case CONFIG:
        return (this.config & ~OS) | (this.busy() ? 0 : OS);
      case LO_THRESH:
        return this.lo;
      default:
        return this.hi;
    }
  }

  protected writeWord(reg: number, value: number): void {
    switch (reg & 0x03) {
      case CONFIG: {
        this.config = value & ~OS;
        if (value & MODE_SINGLE && value & OS && !this.busy()) {
          this.convert();
          if (this.clock) this.busyUntil = this.clock.now() + Math.ceil(1000 / SPS[(value >> 5) & 7]!);
        }
        break;
      }
      case LO_THRESH:
        this.lo = value;
        break;
      case HI_THRESH:
        this.hi = value;
        break;
      default:
        break; // the conversion register is read-only
    }
  }

  private busy(): boolean {
    return this.clock !== undefined && this.clock.now() < this.busyUntil;
  }

  private convert(): void {
    if (this.frozen) return;
    this.conversions++;
    const [p, n] = PAIRS[(this.config >> 12) & 7]!;
    const v = this.volts[p]! - (n < 0 ? 0 : this.volts[n]!);
    const fsr = FSR[(this.config >> 9) & 7]!;
    this.conversion = clampInt((v / fsr) * 32768, -32768, 32767) & 0xffff;
  }
}
