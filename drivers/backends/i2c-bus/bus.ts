import type { PromisifiedBus } from 'i2c-bus';
import { HalError } from '../../hal/errors.js';
import { checkAddress, formatAddress, type I2cBus, type I2cOp } from '../../hal/i2c.js';

/**
 * `/dev/i2c-N` through i2c-bus. Each operation is its own message (i2cWrite / i2cRead: plain
 * read(2)/write(2) on the device file), so `[write([reg]), read(n)]` puts a STOP between the
 * pointer write and the read instead of a repeated start. That is fine for the parts wayside
 * uses (BME280, ADS1115, INA219 and MPU-6050 all keep their register pointer across a stop);
 * a chip that needs a repeated start would need I2C_RDWR, which i2c-bus does not expose.
 * Transactions are queued here so a pointer write and its read are never split by another one.
 */
export class LinuxI2cBus implements I2cBus {
  readonly name: string;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly id: number,
    private readonly bus: PromisifiedBus,
  ) {
    this.name = `i2c-${id}`;
  }

  transaction(address: number, ops: readonly I2cOp[]): Promise<void> {
    const run = this.tail.then(() => this.run(address, ops));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    try {
      await this.bus.close();
    } catch (err) {
      throw HalError.from(err, `${this.name} close`);
    }
  }

  private async run(address: number, ops: readonly I2cOp[]): Promise<void> {
    checkAddress(this.name, address);
    const ctx = `${this.name} addr ${formatAddress(address)}`;
    if (this.closed) throw new HalError('invalid', `${ctx}: bus used after close`);
    for (const op of ops) {
      if (op.kind === 'write') {
        const buf = bufferOf(op.data);
        let n: number;
        try {
          n = (await this.bus.i2cWrite(address, buf.length, buf)).bytesWritten;
        } catch (err) {
          throw withHint(HalError.from(err, `${ctx} write ${hex(op.data)}`));
        }
        if (n !== buf.length) throw new HalError('noAck', `${ctx} write ${hex(op.data)}: only ${n} of ${buf.length} bytes written`);
      } else {
        const buf = bufferOf(op.into);
        let n: number;
        try {
          n = (await this.bus.i2cRead(address, buf.length, buf)).bytesRead;
        } catch (err) {
          throw withHint(HalError.from(err, `${ctx} read ${buf.length}`));
        }
        if (n !== buf.length) throw new HalError('noAck', `${ctx} read ${buf.length}: only ${n} bytes read`);
      }
    }
  }
}

/**
 * i2c-bus wants Buffers; drivers pass Uint8Arrays they reuse for every sample. A Buffer view of
 * each array is made once and kept (not copied), so polling allocates no byte buffers.
 */
const views = new WeakMap<Uint8Array, Buffer>();
export function bufferOf(a: Uint8Array): Buffer {
  if (Buffer.isBuffer(a)) return a;
  let b = views.get(a);
  if (!b) {
    b = Buffer.from(a.buffer, a.byteOffset, a.length);
    views.set(a, b);
  }
  return b;
}

function hex(data: Uint8Array): string {
  return `[${Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** Adds what an operator should check for the errors they can fix. */
export function withHint(e: HalError): HalError {
  const hint =
    e.kind === 'access'
      ? ' (add the service user to group "i2c", or run with access to /dev/i2c-*)'
      : e.kind === 'notFound'
        ? ' (is this I2C bus enabled? e.g. dtparam=i2c_arm=on on a Pi, or the board\'s i2c overlay)'
        : '';
  return hint ? new HalError(e.kind, e.message + hint, e.code, { cause: e.cause }) : e;
}
