import type { Clock } from './clock.js';
import type { DigitalIn, DigitalOut, InputOptions, OutputOptions, PinRef } from './gpio.js';
import type { I2cBus } from './i2c.js';

/**
 * A backend gives pins and buses. GPIO and I2C backends are chosen separately
 * (a Pi uses linux-chardev for GPIO and i2c-bus for I2C; a Firmata board or the simulator
 * does both).
 */
export interface GpioBackend {
  readonly name: string;
  output(ref: PinRef, options?: OutputOptions): DigitalOut;
  input(ref: PinRef, options?: InputOptions): DigitalIn;
  close(): Promise<void>;
}

export interface I2cBackend {
  readonly name: string;
  /** Opens bus N (`/dev/i2c-N` on Linux). */
  bus(id: number): Promise<I2cBus>;
  close(): Promise<void>;
}

/** What every backend module's `open` receives. */
export interface BackendContext {
  readonly clock: Clock;
  /** Firmata serial port path (from the site file), or an `io` object already connected (tests). */
  readonly firmata?: { readonly port?: string; readonly io?: unknown };
  /** Filesystem root for sysfs/chardev paths (tests point this at a fake root). */
  readonly root?: string;
}

export interface BackendModule {
  open(ctx: BackendContext): Promise<{ gpio?: GpioBackend; i2c?: I2cBackend }>;
}
