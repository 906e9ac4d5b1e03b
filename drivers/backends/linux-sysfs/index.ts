import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendContext } from '../../hal/backend.js';
import { HalError } from '../../hal/errors.js';
import { SysfsGpio, type OnoffGpioClass } from './gpio.js';

export { SysfsGpio, describePin, sysfsError, type OnoffGpio, type OnoffGpioClass } from './gpio.js';

export interface SysfsOpenOptions {
  /** Loads onoff's Gpio class (default: the real package, imported only now). Tests pass a fake. */
  readonly loadOnoff?: () => Promise<OnoffGpioClass>;
}

async function loadReal(): Promise<OnoffGpioClass> {
  const mod = (await import('onoff')) as { Gpio?: OnoffGpioClass; default?: { Gpio: OnoffGpioClass } };
  const Gpio = mod.Gpio ?? mod.default?.Gpio;
  if (!Gpio) throw new Error('onoff has no Gpio export');
  return Gpio;
}

export async function open(ctx: BackendContext, options: SysfsOpenOptions = {}): Promise<{ gpio: SysfsGpio }> {
  const dir = join(ctx.root ?? '/', 'sys', 'class', 'gpio');
  try {
    await access(dir);
  } catch (err) {
    throw new HalError('notFound', `linux-sysfs: ${dir} does not exist — this kernel has no sysfs GPIO (JetPack 6, recent Pi 5 kernels); use backend linux-chardev`, 'ENOENT', { cause: err });
  }
  let Gpio: OnoffGpioClass;
  try {
    Gpio = await (options.loadOnoff ?? loadReal)();
  } catch (err) {
    throw HalError.from(err, 'linux-sysfs: cannot load onoff (npm rebuild onoff?)');
  }
  return { gpio: new SysfsGpio(Gpio, ctx.clock) };
}
