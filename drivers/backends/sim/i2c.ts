import type { I2cBackend } from '../../hal/backend.js';
import type { Clock } from '../../hal/clock.js';
import { HalError } from '../../hal/errors.js';
import { checkAddress, formatAddress, type I2cBus, type I2cOp } from '../../hal/i2c.js';

/**
 * A device on the simulated bus, at byte level: what the master writes in one write
 * operation (register pointer, then data) and what it clocks out on a read. Register-level
 * chip models (drivers/chips/models/) implement this.
 */
export interface SimI2cDevice {
  write(data: Uint8Array): void;
  read(into: Uint8Array): void;
}

/** Faults of the bus itself; chip faults (wrong id, frozen values) live in the chip models. */
export type SimBusFault =
  | { kind: 'nack'; address?: number; count: number } // the next `count` transactions NACK
  | { kind: 'timeout'; address?: number; count: number } // the next `count` transactions hang until the timeout
  | { kind: 'stuck' }; // SDA held low: everything times out until cleared

export interface SimI2cOptions {
  /** How long a hung transaction takes to fail, on the bus clock (the kernel's default is ~25 ms per adapter). */
  timeoutMs?: number;
}

export interface TransactionRecord {
  tMs: number;
  address: number;
  ops: { kind: 'write' | 'read'; bytes: number[] }[];
  error?: string;
}

export class SimI2cBus implements I2cBus {
  readonly name: string;
  private readonly devices = new Map<number, SimI2cDevice>();
  private readonly faults: SimBusFault[] = [];
  private readonly timeoutMs: number;
  /** Set to an array to record every transaction (tests); null (default) records nothing. */
  recording: TransactionRecord[] | null = null;
  transactions = 0;
  errors = 0;

  constructor(
    readonly id: number,
    private readonly clock: Clock,
    options: SimI2cOptions = {},
  ) {
    this.name = `sim-i2c-${id}`;
    this.timeoutMs = options.timeoutMs ?? 25;
  }

  attach(address: number, device: SimI2cDevice): void {
    checkAddress(this.name, address);
    if (this.devices.has(address)) {
      throw new HalError('busy', `${this.name}: address ${formatAddress(address)} already has a device`);
    }
    this.devices.set(address, device);
  }

  detach(address: number): void {
    this.devices.delete(address);
  }

  device(address: number): SimI2cDevice | undefined {
    return this.devices.get(address);
  }

  inject(fault: SimBusFault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  async transaction(address: number, ops: readonly I2cOp[]): Promise<void> {
    checkAddress(this.name, address);
    this.transactions++;
    const fault = this.takeFault(address);
    // Defer like a real bus: callers must not rely on synchronous completion.
    await Promise.resolve();
    if (fault === 'timeout') {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.timeoutMs));
      return this.fail(address, ops, new HalError('timeout', `${this.name} addr ${formatAddress(address)}: bus timed out`, 'ETIMEDOUT'));
    }
    const dev = this.devices.get(address);
    if (fault === 'nack' || !dev) {
      return this.fail(address, ops, new HalError('noAck', `${this.name} addr ${formatAddress(address)}: no acknowledge`, 'EREMOTEIO'));
    }
    for (const op of ops) {
      if (op.kind === 'write') dev.write(op.data);
      else dev.read(op.into);
    }
    if (this.recording) this.recording.push(this.record(address, ops));
  }

  async close(): Promise<void> {}

  private takeFault(address: number): 'nack' | 'timeout' | null {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      if (f.kind === 'stuck') return 'timeout';
      if (f.address !== undefined && f.address !== address) continue;
      f.count--;
      if (f.count <= 0) this.faults.splice(i, 1);
      return f.kind;
    }
    return null;
  }

  private fail(address: number, ops: readonly I2cOp[], err: HalError): never {
    this.errors++;
    if (this.recording) this.recording.push({ ...this.record(address, ops), error: err.kind });
    throw err;
  }

  private record(address: number, ops: readonly I2cOp[]): TransactionRecord {
    return {
      tMs: this.clock.now(),
      address,
      ops: ops.map((o) => (o.kind === 'write' ? { kind: 'write', bytes: [...o.data] } : { kind: 'read', bytes: [...o.into] })),
    };
  }
}

export class SimI2c implements I2cBackend {
  readonly name = 'sim';
  private readonly buses = new Map<number, SimI2cBus>();

  constructor(
    private readonly clock: Clock,
    private readonly options: SimI2cOptions = {},
  ) {}

  /** Opens (creating on first use) simulated bus N. */
  async bus(id: number): Promise<SimI2cBus> {
    return this.simBus(id);
  }

  /** Synchronous access for simulators and tests that plug chip models in. */
  simBus(id: number): SimI2cBus {
    let b = this.buses.get(id);
    if (!b) {
      b = new SimI2cBus(id, this.clock, this.options);
      this.buses.set(id, b);
    }
    return b;
  }

  async close(): Promise<void> {}
}
