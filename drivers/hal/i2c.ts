import { HalError } from './errors.js';

/**
 * I2C, after embedded-hal's `I2c`: one required method, `transaction`, and the usual shapes
 * built on it. Reads fill buffers the caller owns, so a sensor polled at 100 Hz reuses the same
 * bytes instead of allocating per sample.
 */
export type I2cOp =
  | { readonly kind: 'write'; readonly data: Uint8Array }
  | { readonly kind: 'read'; readonly into: Uint8Array };

export interface I2cBus {
  /** `i2c-1`, `sim-1`, `firmata`: used in error messages and metrics labels. */
  readonly name: string;
  /**
   * Runs the operations against one 7-bit address as one transaction (repeated start between
   * operations where the backend supports it). Resolves when every read buffer is filled.
   * Rejects with a HalError: `noAck` when the device does not answer, `timeout` when the bus
   * hangs. Transactions on one bus must be serialised by the caller (see the sampling scheduler).
   */
  transaction(address: number, ops: readonly I2cOp[]): Promise<void>;
  close(): Promise<void>;
}

export function checkAddress(bus: string, address: number): void {
  if (!Number.isInteger(address) || address < 0x03 || address > 0x77) {
    throw new HalError('invalid', `${bus}: I2C address ${formatAddress(address)} is outside 0x03-0x77`);
  }
}

export function formatAddress(address: number): string {
  return Number.isInteger(address) ? `0x${address.toString(16).padStart(2, '0')}` : String(address);
}

export function i2cWrite(bus: I2cBus, address: number, data: Uint8Array): Promise<void> {
  return bus.transaction(address, [{ kind: 'write', data }]);
}

export function i2cRead(bus: I2cBus, address: number, into: Uint8Array): Promise<void> {
  return bus.transaction(address, [{ kind: 'read', into }]);
}

/** Writes `data` (usually a register pointer) then reads `into.length` bytes. */
export function i2cWriteRead(bus: I2cBus, address: number, data: Uint8Array, into: Uint8Array): Promise<void> {
  return bus.transaction(address, [
    { kind: 'write', data },
    { kind: 'read', into },
  ]);
}
