import type { BackendContext } from '../../hal/backend.js';
import type { Clock } from '../../hal/clock.js';
import { SimGpio } from './gpio.js';
import { SimI2c } from './i2c.js';

export { SimGpio, type OutputListener } from './gpio.js';
export { SimI2c, SimI2cBus, type SimI2cDevice, type SimBusFault, type TransactionRecord } from './i2c.js';

/** The whole simulated board: pins and buses on one clock. */
export class SimBoard {
  readonly gpio: SimGpio;
  readonly i2c: SimI2c;
  constructor(readonly clock: Clock) {
    this.gpio = new SimGpio(clock);
    this.i2c = new SimI2c(clock);
  }
}

export async function open(ctx: BackendContext): Promise<{ gpio: SimGpio; i2c: SimI2c; board: SimBoard }> {
  const board = new SimBoard(ctx.clock);
  return { gpio: board.gpio, i2c: board.i2c, board };
}
