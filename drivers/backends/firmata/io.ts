import type { Clock } from '../../hal/clock.js';
import { HalError } from '../../hal/errors.js';

/**
 * The part of a johnny-five IO object (firmata.js, mock-firmata, an IO plugin) this backend
 * calls. Declared here rather than imported because johnny-five ships no types, and so tests
 * can see exactly which calls a Firmata board receives.
 */
export interface FirmataPin {
  mode?: number;
  value?: number;
  /** Set by firmata.js when the board answers a pin-state query: for outputs, the latched level. */
  state?: number;
  supportedModes?: readonly number[];
}

export interface FirmataIo {
  readonly MODES: { readonly INPUT: number; readonly OUTPUT: number; readonly PULLUP?: number };
  readonly pins: readonly (FirmataPin | undefined)[];
  readonly isReady?: boolean;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: number): void;
  digitalRead(pin: number, callback: (value: number) => void): void;
  reportDigitalPin?(pin: number, value: 0 | 1): void;
  queryPinState?(pin: number, callback: () => void): void;
  i2cConfig(options?: number | { delay?: number }): unknown;
  i2cWrite(address: number, bytes: number[]): unknown;
  i2cReadOnce(address: number, register: number, bytes: number, callback: (data: number[]) => void): unknown;
  i2cReadOnce(address: number, bytes: number, callback: (data: number[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  /** firmata.js keeps the serial port here. */
  readonly transport?: { close?(cb?: (err?: unknown) => void): void } | null;
}

export function isFirmataIo(x: unknown): x is FirmataIo {
  const o = x as Partial<FirmataIo> | null | undefined;
  return (
    !!o &&
    typeof o.pinMode === 'function' &&
    typeof o.digitalWrite === 'function' &&
    typeof o.digitalRead === 'function' &&
    typeof o.i2cReadOnce === 'function' &&
    typeof o.once === 'function' &&
    Array.isArray(o.pins)
  );
}

/** Resolves when `io` has reported ready (at once if it already has), or rejects after `timeoutMs`. */
export function waitReady(io: FirmataIo, clock: Clock, timeoutMs: number, what: string): Promise<void> {
  if (io.isReady) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      io.removeListener?.('ready', onReady);
      reject(new HalError('timeout', `firmata ${what}: no "ready" from the board within ${timeoutMs} ms (is StandardFirmata flashed, is the baud rate 57600?)`, 'ETIMEDOUT'));
    }, timeoutMs);
    const onReady = (): void => {
      clock.clearTimer(timer);
      resolve();
    };
    io.once('ready', onReady);
  });
}

interface J5Board {
  io: unknown;
  /** johnny-five's own connect timer; cleared when we give up so it cannot fire later. */
  timer?: ReturnType<typeof setTimeout>;
  once(event: string, fn: (...args: unknown[]) => void): unknown;
  on(event: string, fn: (...args: unknown[]) => void): unknown;
}

/** Serial-port failures arrive as bare messages; give them the errno kind they stand for. */
const SERIAL_ERRORS: [RegExp, string, string][] = [
  [/No such file or directory/i, 'ENOENT', 'is the board plugged in and the path right?'],
  [/Permission denied/i, 'EACCES', 'add the service user to group "dialout"'],
  [/Resource busy|Cannot lock port/i, 'EBUSY', 'another program has the port open'],
];

export function serialError(err: unknown, port: string): HalError {
  const raw = typeof err === 'string' ? err : ((err as { message?: unknown })?.message as string | undefined) ?? String(err);
  const text = raw.replace(/^(Error:\s*)+/, '');
  const hit = SERIAL_ERRORS.find(([re]) => re.test(text));
  if (!hit) return HalError.from(err, `firmata ${port}`);
  const [, code, hint] = hit;
  return HalError.from(Object.assign(new Error(`${text} (${hint})`), { code }), `firmata ${port}`);
}

/**
 * Opens a Firmata board on a serial port through johnny-five and waits for it to be ready.
 * `sigint: false` because johnny-five would otherwise install a SIGINT handler that exits the
 * process before the cabinet has driven its lamps to flashing red.
 */
export async function connectSerial(port: string, clock: Clock, timeoutMs: number): Promise<FirmataIo> {
  let five: { Board: new (opts: Record<string, unknown>) => J5Board };
  try {
    five = ((await import('johnny-five')) as { default: typeof five }).default;
  } catch (err) {
    throw HalError.from(err, 'firmata: cannot load johnny-five');
  }
  const board = new five.Board({ port, repl: false, debug: false, sigint: false, timeout: timeoutMs });
  return new Promise((resolve, reject) => {
    let settled = false;
    const giveUp = (err: HalError): void => {
      if (settled) return;
      settled = true;
      clock.clearTimer(timer);
      if (board.timer) clearTimeout(board.timer);
      const io = board.io as (FirmataIo & { reportVersionTimeoutId?: ReturnType<typeof setTimeout> }) | null;
      // firmata.js would re-ask a dead port for its version 5 s later; nothing is listening.
      if (io?.reportVersionTimeoutId) clearTimeout(io.reportVersionTimeoutId);
      try {
        io?.transport?.close?.(() => {});
      } catch {
        // the port never opened
      }
      reject(err);
    };
    const timer = clock.setTimeout(() => {
      giveUp(new HalError('timeout', `firmata ${port}: board not ready within ${timeoutMs} ms (check the cable, that StandardFirmata is flashed at 57600 baud, and that no other program holds the port)`, 'ETIMEDOUT'));
    }, timeoutMs);
    board.once('ready', () => {
      if (settled) return;
      settled = true;
      clock.clearTimer(timer);
      if (!isFirmataIo(board.io)) {
        reject(new HalError('other', `firmata ${port}: johnny-five gave an io object without digital/I2C methods`));
        return;
      }
      resolve(board.io);
    });
    // Permanent: johnny-five emits "error" more than once (open failure, then its own connect
    // timeout), and an EventEmitter "error" with no listener would crash the process.
    board.on('error', (err: unknown) => giveUp(serialError(err, port)));
  });
}
