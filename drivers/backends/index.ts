import type { BackendContext, BackendModule, GpioBackend, I2cBackend } from '../hal/backend.js';
import { HalError } from '../hal/errors.js';

/**
 * Backends are imported only when chosen, so a native module that cannot load here
 * (onoff without sysfs, node-libgpiod without libgpiod) matters only if a site asks for it.
 */
const GPIO_BACKENDS: Record<string, () => Promise<BackendModule>> = {
  sim: () => import('./sim/index.js'),
  'linux-sysfs': () => import('./linux-sysfs/index.js'),
  'linux-chardev': () => import('./linux-chardev/index.js'),
  firmata: () => import('./firmata/index.js'),
};

const I2C_BACKENDS: Record<string, () => Promise<BackendModule>> = {
  sim: () => import('./sim/index.js'),
  'i2c-bus': () => import('./i2c-bus/index.js'),
  firmata: () => import('./firmata/index.js'),
};

export const GPIO_BACKEND_NAMES = Object.keys(GPIO_BACKENDS);
export const I2C_BACKEND_NAMES = Object.keys(I2C_BACKENDS);

export interface OpenedBackends {
  gpio: GpioBackend;
  i2c: I2cBackend;
  /** Everything the backend modules returned, e.g. `board` for the simulator. */
  extras: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Opens the GPIO and I2C backends by name. When both name the same module (sim, firmata)
 * it is opened once, so pins and buses share one simulated board or one serial link.
 */
export async function openBackends(names: { gpio: string; i2c: string }, ctx: BackendContext): Promise<OpenedBackends> {
  const gLoad = GPIO_BACKENDS[names.gpio];
  if (!gLoad) throw new HalError('notFound', `unknown GPIO backend "${names.gpio}"; valid: ${GPIO_BACKEND_NAMES.join(', ')}`);
  const iLoad = I2C_BACKENDS[names.i2c];
  if (!iLoad) throw new HalError('notFound', `unknown I2C backend "${names.i2c}"; valid: ${I2C_BACKEND_NAMES.join(', ')}`);
  const g = await (await gLoad()).open(ctx);
  const i = names.gpio === names.i2c ? g : await (await iLoad()).open(ctx);
  if (!g.gpio) throw new HalError('other', `backend "${names.gpio}" provides no GPIO`);
  if (!i.i2c) throw new HalError('other', `backend "${names.i2c}" provides no I2C`);
  const gpio = g.gpio;
  const i2c = i.i2c;
  const { gpio: _g, i2c: _i, ...extras } = { ...i, ...g };
  return {
    gpio,
    i2c,
    extras,
    async close() {
      await gpio.close();
      await i2c.close();
    },
  };
}
