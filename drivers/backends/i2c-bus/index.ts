import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendContext, I2cBackend } from '../../hal/backend.js';
import { HalError } from '../../hal/errors.js';
import { LinuxI2cBus, withHint } from './bus.js';

export { LinuxI2cBus } from './bus.js';

/** What this backend needs from the i2c-bus package; tests inject a fake. */
export type I2cBusModule = Pick<typeof import('i2c-bus'), 'openPromisified'>;

export interface I2cBusOpenOptions {
  /** Loads i2c-bus (default: the real, native package, imported only now). */
  readonly loadI2cBus?: () => Promise<I2cBusModule>;
}

async function loadReal(): Promise<I2cBusModule> {
  const mod = (await import('i2c-bus')) as I2cBusModule & { default?: I2cBusModule };
  return mod.default ?? mod;
}

/** I2C on `/dev/i2c-N`. Bus N opened twice is the same object; `close()` closes every bus. */
export class LinuxI2c implements I2cBackend {
  readonly name = 'i2c-bus';
  private readonly buses = new Map<number, Promise<LinuxI2cBus>>();

  constructor(
    private readonly lib: I2cBusModule,
    /** Filesystem root the device files are checked under (tests use a fake root). */
    private readonly root = '/',
  ) {}

  bus(id: number): Promise<LinuxI2cBus> {
    if (!Number.isInteger(id) || id < 0) return Promise.reject(new HalError('invalid', `i2c bus number must be a non-negative integer, got ${id}`));
    let p = this.buses.get(id);
    if (!p) {
      // i2c-bus opens the device file lazily, on the first transfer; check it now so a missing
      // or forbidden bus fails when the site is loaded, not at the first sensor poll.
      const path = join(this.root, 'dev', `i2c-${id}`);
      p = access(path, constants.R_OK | constants.W_OK)
        .then(() => this.lib.openPromisified(id))
        .then(
          (b) => new LinuxI2cBus(id, b),
          (err: unknown) => {
            this.buses.delete(id); // not cached: the next attempt may find the bus enabled
            throw withHint(HalError.from(err, `i2c-${id}: cannot open /dev/i2c-${id}`));
          },
        );
      this.buses.set(id, p);
    }
    return p;
  }

  async close(): Promise<void> {
    const all = [...this.buses.values()];
    this.buses.clear();
    for (const p of all) {
      const b = await p.catch(() => undefined);
      await b?.close();
    }
  }
}

export async function open(ctx: BackendContext, options: I2cBusOpenOptions = {}): Promise<{ i2c: LinuxI2c }> {
  let lib: I2cBusModule;
  try {
    lib = await (options.loadI2cBus ?? loadReal)();
  } catch (err) {
    throw HalError.from(err, 'i2c-bus: cannot load the native module (npm rebuild i2c-bus?)');
  }
  return { i2c: new LinuxI2c(lib, ctx.root ?? '/') };
}
