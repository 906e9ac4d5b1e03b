import type { Clock } from '../hal/clock.js';
import type { I2cBus, I2cOp } from '../hal/i2c.js';

/**
 * The bus side of a register-mapped chip: register pointer write then read, or a plain write,
 * with the operation objects allocated once. Drivers call it only from their private
 * readRegister/writeRegister. Not re-entrant: one transaction at a time per driver.
 */
export class RegisterPort {
  private readonly ptr = new Uint8Array(1);
  private readonly ptrOp = { kind: 'write' as const, data: this.ptr };
  private readonly readOp: { kind: 'read'; into: Uint8Array } = { kind: 'read', into: this.ptr };
  private readonly writeOp: { kind: 'write'; data: Uint8Array } = { kind: 'write', data: this.ptr };
  private readonly readOps: readonly I2cOp[] = [this.ptrOp, this.readOp];
  private readonly byte = new Uint8Array(1);
  private readonly regByte = new Uint8Array(2);
  private readonly word = new Uint8Array(2);
  private readonly regWord = new Uint8Array(3);
  private readonly writeOps: readonly I2cOp[] = [this.writeOp];

  constructor(
    readonly bus: I2cBus,
    readonly address: number,
  ) {}

  /**
   * Sets the register pointer to `reg` and reads `into.length` bytes (auto-increment).
   * Returns the bus's own promise rather than awaiting it in an async wrapper: these two run
   * for every register access of every poll, and each wrapper was one more promise and
   * microtask per transaction on the control thread.
   */
  read(reg: number, into: Uint8Array): Promise<void> {
    this.ptr[0] = reg;
    this.readOp.into = into;
    return this.bus.transaction(this.address, this.readOps);
  }

  /** Writes `bytes` as one write operation (register pointer first). */
  write(bytes: Uint8Array): Promise<void> {
    this.writeOp.data = bytes;
    return this.bus.transaction(this.address, this.writeOps);
  }

  /** Reads an 8-bit register (BME280, MPU-6050). */
  async readU8(reg: number): Promise<number> {
    await this.read(reg, this.byte);
    return this.byte[0]!;
  }

  /** Writes an 8-bit register: pointer and value in one write. */
  async writeU8(reg: number, value: number): Promise<void> {
    this.regByte[0] = reg;
    this.regByte[1] = value;
    await this.write(this.regByte);
  }

  /** Reads a 16-bit big-endian register (ADS1115, INA219), unsigned. */
  async readU16(reg: number): Promise<number> {
    await this.read(reg, this.word);
    return (this.word[0]! << 8) | this.word[1]!;
  }

  /** Writes a 16-bit big-endian register: pointer, MSB, LSB in one write. */
  async writeU16(reg: number, value: number): Promise<void> {
    this.regWord[0] = reg;
    this.regWord[1] = (value >> 8) & 0xff;
    this.regWord[2] = value & 0xff;
    await this.write(this.regWord);
  }
}

/** Waits `ms` on the given clock (virtual in tests, so no test ever sleeps for real). */
export function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
