import type { I2cBackend } from '../../hal/backend.js';
import type { Clock } from '../../hal/clock.js';
import { HalError } from '../../hal/errors.js';
import { checkAddress, formatAddress, type I2cBus, type I2cOp } from '../../hal/i2c.js';
import type { FirmataIo } from './io.js';

export interface FirmataI2cOptions {
  /** How long to wait for an I2C_REPLY on the clock before failing with `timeout`. Default 250 ms. */
  readonly timeoutMs?: number;
}

/**
 * I2C through Firmata's I2C_REQUEST messages. Firmata has no general transaction, so the
 * shapes chip drivers use are mapped onto what it has:
 * - `[write(data)]` → `i2cWrite(addr, data)`. Firmata does not acknowledge writes, so a NACKed
 *   write is not detected here; it shows up on the next read.
 * - `[write([reg]), read(n)]` → `i2cReadOnce(addr, reg, n)`: the firmware writes the register
 *   pointer, then reads (with a stop in between unless configured otherwise).
 * - `[read(n)]` → `i2cReadOnce(addr, n)`.
 * Anything else is rejected with kind `invalid`. A reply with fewer bytes than asked for is
 * what StandardFirmata sends when the device did not answer ("I2C: Too few bytes received"),
 * so it becomes `noAck`; no reply at all becomes `timeout`.
 */
export class FirmataI2cBus implements I2cBus {
  readonly name = 'firmata-i2c';
  private readonly timeoutMs: number;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly io: FirmataIo,
    private readonly clock: Clock,
    options: FirmataI2cOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 250;
  }

  transaction(address: number, ops: readonly I2cOp[]): Promise<void> {
    // Serialised here as well as by the caller: replies are matched by (address, register)
    // only, so two reads in flight to the same register could swap their data.
    const run = this.tail.then(() => this.run(address, ops));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async run(address: number, ops: readonly I2cOp[]): Promise<void> {
    checkAddress(this.name, address);
    const ctx = `${this.name} addr ${formatAddress(address)}`;
    if (this.closed) throw new HalError('invalid', `${ctx}: bus used after close`);
    const [a, b] = ops;
    if (ops.some((o) => (o.kind === 'write' ? o.data.length : o.into.length) === 0)) {
      throw new HalError('invalid', `${ctx}: Firmata cannot do zero-length transfers`);
    }
    if (ops.length === 1 && a!.kind === 'write') {
      try {
        this.io.i2cWrite(address, Array.from(a!.data));
      } catch (err) {
        throw HalError.from(err, `${ctx} write`);
      }
      return;
    }
    if (ops.length === 1 && a!.kind === 'read') {
      return this.readOnce(address, null, a!.into, ctx);
    }
    if (ops.length === 2 && a!.kind === 'write' && b!.kind === 'read' && a!.data.length === 1) {
      return this.readOnce(address, a!.data[0]!, b!.into, ctx);
    }
    const shape = ops.map((o) => (o.kind === 'write' ? `write(${o.data.length})` : `read(${o.into.length})`)).join(', ');
    throw new HalError(
      'invalid',
      `${ctx}: Firmata cannot do the transaction [${shape}]; it supports [write(n)], [read(n)] and [write(1 register byte), read(n)]`,
    );
  }

  private readOnce(address: number, register: number | null, into: Uint8Array, ctx: string): Promise<void> {
    const io = this.io;
    const what = register === null ? `read ${into.length}` : `read ${into.length} from 0x${register.toString(16).padStart(2, '0')}`;
    // The reply event firmata.js emits for this request (register 0 when none was sent).
    const event = `I2C-reply-${address}-${register ?? 0}`;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const onReply = (data: number[]): void => {
        if (done) return;
        done = true;
        this.clock.clearTimer(timer);
        if (!Array.isArray(data) || data.length < into.length) {
          reject(new HalError('noAck', `${ctx} ${what}: got ${Array.isArray(data) ? data.length : 0} of ${into.length} bytes (device did not answer)`, 'EREMOTEIO'));
          return;
        }
        for (let i = 0; i < into.length; i++) into[i] = data[i]! & 0xff;
        resolve();
      };
      const timer = this.clock.setTimeout(() => {
        if (done) return;
        done = true;
        // Drop the listener so a late reply cannot complete a later transaction.
        io.removeListener?.(event, onReply as (...args: unknown[]) => void);
        reject(new HalError('timeout', `${ctx} ${what}: no reply within ${this.timeoutMs} ms`, 'ETIMEDOUT'));
      }, this.timeoutMs);
      try {
        if (register === null) io.i2cReadOnce(address, into.length, onReply);
        else io.i2cReadOnce(address, register, into.length, onReply);
      } catch (err) {
        done = true;
        this.clock.clearTimer(timer);
        reject(HalError.from(err, `${ctx} ${what}`));
      }
    });
  }
}

/** Firmata boards have one I2C bus; any bus number opens it (the site file's number is ignored). */
export class FirmataI2c implements I2cBackend {
  readonly name = 'firmata';
  private bus0: FirmataI2cBus | undefined;

  constructor(
    private readonly io: FirmataIo,
    private readonly clock: Clock,
    private readonly options: FirmataI2cOptions = {},
  ) {}

  async bus(_id: number): Promise<FirmataI2cBus> {
    if (!this.bus0) {
      try {
        this.io.i2cConfig({ delay: 0 });
      } catch (err) {
        throw HalError.from(err, 'firmata i2cConfig');
      }
      this.bus0 = new FirmataI2cBus(this.io, this.clock, this.options);
    }
    return this.bus0;
  }

  async close(): Promise<void> {
    await this.bus0?.close();
    this.bus0 = undefined;
  }
}
