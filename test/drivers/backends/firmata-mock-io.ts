/**
 * mock-firmata wired up for tests: a johnny-five Board around a MockFirmata io, with the few
 * calls the mock leaves empty made to behave like firmata.js:
 * - `digitalRead(pin, cb)` subscribes `cb` to `digital-read-<pin>`, so `reportDigital(pin, v)`
 *   plays the board reporting a changed input;
 * - `i2cWrite`/`i2cReadOnce` reach SimI2cDevice models attached with `attachI2c` (the chip
 *   models in drivers/chips/models plug in here), replying asynchronously like a serial link;
 *   an address with no device replies with no bytes, as StandardFirmata does on a NACK;
 * - `queryPinState` answers with the level latched when the query was sent (serial order).
 * `digitalWrite` is left alone: spy on it (`mock.method(io, 'digitalWrite')`) to see lamp writes.
 */
import five from 'johnny-five';
import mockFirmata from 'mock-firmata';
import type { SimI2cDevice } from '../../../drivers/backends/sim/index.js';

export type MockIo = InstanceType<typeof mockFirmata.Firmata>;

export interface MockFirmataBoard {
  io: MockIo;
  board: InstanceType<typeof five.Board>;
  /** Plays the board reporting input `pin` at `value` (electrical). */
  reportDigital(pin: number, value: number): void;
  /** Plugs a register-level device model in at `address`. */
  attachI2c(address: number, device: SimI2cDevice): void;
  /** While > 0, I2C reads get no reply at all (each read consumes one). */
  silentReads: number;
  /** Every I2C request the io received, in order. */
  i2cLog: { kind: 'write' | 'read'; address: number; register: number | null; bytes: number[] }[];
}

export function mockFirmataBoard(): MockFirmataBoard {
  const io = new mockFirmata.Firmata();
  const board = new five.Board({ io, repl: false, debug: false });
  const devices = new Map<number, SimI2cDevice>();
  const latched = new Map<number, number>();
  const result: MockFirmataBoard = {
    io,
    board,
    silentReads: 0,
    i2cLog: [],
    reportDigital(pin, value) {
      const rec = io.pins[pin];
      if (rec) rec.value = value;
      io.emit(`digital-read-${pin}`, value);
    },
    attachI2c(address, device) {
      devices.set(address, device);
    },
  };
  const self = io as unknown as Record<string, unknown>;
  self.digitalRead = (pin: number, cb: (v: number) => void) => io.on(`digital-read-${pin}`, cb);
  const origWrite = io.digitalWrite.bind(io);
  self.digitalWrite = (pin: number, value: number) => {
    latched.set(pin, value);
    origWrite(pin, value);
  };
  self.queryPinState = (pin: number, cb: () => void) => {
    io.once(`pin-state-${pin}`, cb);
    // The board answers in serial order: with the level latched when the query arrived,
    // before any write sent after it.
    const state = latched.get(pin) ?? 0;
    void Promise.resolve().then(() => {
      const rec = io.pins[pin];
      if (rec) rec.state = state;
      io.emit(`pin-state-${pin}`);
    });
  };
  self.i2cWrite = (address: number, bytes: number[]) => {
    result.i2cLog.push({ kind: 'write', address, register: null, bytes: [...bytes] });
    devices.get(address)?.write(Uint8Array.from(bytes));
  };
  self.i2cReadOnce = (...args: unknown[]) => {
    const address = args[0] as number;
    const register = args.length === 4 ? (args[1] as number) : null;
    const n = args[args.length - 2] as number;
    const cb = args[args.length - 1] as (data: number[]) => void;
    const event = `I2C-reply-${address}-${register ?? 0}`;
    io.once(event, cb as (...a: unknown[]) => void);
    result.i2cLog.push({ kind: 'read', address, register, bytes: [] });
    if (result.silentReads > 0) {
      result.silentReads--;
      return;
    }
    void Promise.resolve().then(() => {
      const dev = devices.get(address);
      if (!dev) return io.emit(event, []);
      if (register !== null) dev.write(Uint8Array.of(register));
      const into = new Uint8Array(n);
      dev.read(into);
      io.emit(event, [...into]);
    });
  };
  io.emit('connect');
  io.emit('ready');
  return result;
}
