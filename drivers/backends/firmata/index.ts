import type { BackendContext } from '../../hal/backend.js';
import { HalError } from '../../hal/errors.js';
import { FirmataGpio, type FirmataGpioOptions } from './gpio.js';
import { FirmataI2c, type FirmataI2cOptions } from './i2c.js';
import { connectSerial, isFirmataIo, waitReady, type FirmataIo } from './io.js';

export { FirmataGpio, FirmataOutput, type FirmataGpioOptions } from './gpio.js';
export { FirmataI2c, FirmataI2cBus, type FirmataI2cOptions } from './i2c.js';
export { isFirmataIo, type FirmataIo, type FirmataPin } from './io.js';

export interface FirmataOpenOptions extends FirmataI2cOptions, FirmataGpioOptions {
  /** How long to wait for the board's "ready" (StandardFirmata answers in ~2-5 s after the reset a port open causes). Default 10 000 ms. */
  readonly readyTimeoutMs?: number;
}

const DEFAULT_CONFIRM_MS = 200;

/**
 * One Firmata board gives both GPIO and I2C. `ctx.firmata.io` (an io object, e.g. mock-firmata
 * or one the caller connected) wins over `ctx.firmata.port` (a serial path from the site file,
 * opened through johnny-five).
 */
export async function open(
  ctx: BackendContext,
  options: FirmataOpenOptions = {},
): Promise<{ gpio: FirmataGpio; i2c: FirmataI2c; io: FirmataIo }> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let io: FirmataIo;
  let ownsPort = false;
  if (ctx.firmata?.io !== undefined) {
    if (!isFirmataIo(ctx.firmata.io)) {
      throw new HalError('invalid', 'firmata: the io object given lacks pinMode/digitalWrite/digitalRead/i2cReadOnce/pins');
    }
    io = ctx.firmata.io;
    await waitReady(io, ctx.clock, readyTimeoutMs, 'io');
  } else if (ctx.firmata?.port) {
    io = await connectSerial(ctx.firmata.port, ctx.clock, readyTimeoutMs);
    ownsPort = true;
  } else {
    throw new HalError('invalid', 'firmata: no serial port configured (set firmata.port in the site file, e.g. /dev/ttyACM0)');
  }
  // A real board's outputs are confirmed by pin-state queries so the conflict monitor reads
  // what the board drives, not what we asked (it refuses a blind readback). 200 ms keeps the
  // queries near 20 % of a 57600-baud link for 32 outputs and the readback within the
  // monitor's 450 ms trip budget. An io object handed in (tests) keeps the caller's choice.
  const gpioOptions: FirmataGpioOptions =
    ownsPort && options.confirmOutputsMs === undefined ? { ...options, confirmOutputsMs: DEFAULT_CONFIRM_MS } : options;
  const gpio = new FirmataGpio(io, ctx.clock, gpioOptions);
  const i2c = new FirmataI2c(io, ctx.clock, options);
  if (ownsPort) {
    // Closing the GPIO side releases the board: it is the backend openBackends closes first,
    // and I2C through a closed port would only time out.
    const closeGpio = gpio.close.bind(gpio);
    gpio.close = async () => {
      await closeGpio();
      await i2c.close();
      await new Promise<void>((resolve) => {
        const t = io.transport;
        if (!t?.close) return resolve();
        try {
          t.close(() => resolve());
        } catch {
          resolve();
        }
      });
    };
  }
  return { gpio, i2c, io };
}
