import type { GpioBackend } from '../../hal/backend.js';
import type { Clock, TimerHandle } from '../../hal/clock.js';
import { Debouncer } from '../../hal/debounce.js';
import { HalError } from '../../hal/errors.js';
import type { DigitalIn, DigitalOut, EdgeListener, InputOptions, Level, OutputOptions, PinRef } from '../../hal/gpio.js';
import type { FirmataIo } from './io.js';

/**
 * A Firmata output. `read()` returns our own record of the level written (firmata.js keeps
 * `io.pins[n].value` the same way: digitalWrite sets it itself, so it is no more "real" than
 * ours, and mock-firmata never sets it) until the board says otherwise: `confirm()` asks the
 * board for the pin's latched state (PIN_STATE_QUERY), and an answer to a query sent after the
 * last write replaces the record, so a microcontroller that reset shows as lamps off.
 * With the backend's `confirmOutputsMs` set, every output is confirmed on that period and
 * `readbackIsReal` is true (the readback is then at most one period old).
 */
export class FirmataOutput implements DigitalOut {
  private level: Level; // logical
  private writes = 0; // to drop pin-state answers to queries sent before the latest write
  private open = true;

  constructor(
    readonly ref: PinRef,
    private readonly io: FirmataIo,
    private readonly clock: Clock,
    private readonly activeLow: boolean,
    initial: Level,
    private readonly release: () => void,
    readonly readbackIsReal = false,
  ) {
    this.level = initial;
  }

  get isOpen(): boolean {
    return this.open;
  }

  write(level: Level): void {
    if (!this.open) throw new HalError('invalid', `firmata: pin ${this.ref.pin} written after close`);
    try {
      this.io.digitalWrite(this.ref.pin, this.electrical(level));
    } catch (err) {
      throw HalError.from(err, `firmata pin ${this.ref.pin} write`);
    }
    this.level = level;
    this.writes++;
  }

  read(): Level {
    return this.level;
  }

  /** Asks the board which level the pin is latched at; rejects with a timeout if it does not answer. */
  confirm(timeoutMs = 250): Promise<Level> {
    const io = this.io;
    const pin = this.ref.pin;
    if (!io.queryPinState) return Promise.reject(new HalError('other', `firmata pin ${pin}: io has no queryPinState`));
    const sentAfter = this.writes;
    return new Promise((resolve, reject) => {
      const onState = (): void => {
        this.clock.clearTimer(timer);
        const state = io.pins[pin]?.state;
        if (state !== 0 && state !== 1) {
          reject(new HalError('other', `firmata pin ${pin}: board reported state ${String(state)}`));
          return;
        }
        const board = this.electrical(state as Level);
        if (this.writes === sentAfter) this.level = board;
        resolve(board);
      };
      const timer = this.clock.setTimeout(() => {
        io.removeListener?.(`pin-state-${pin}`, onState);
        reject(new HalError('timeout', `firmata pin ${pin}: no pin-state reply within ${timeoutMs} ms`, 'ETIMEDOUT'));
      }, timeoutMs);
      io.queryPinState!(pin, onState);
    });
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.release();
  }

  private electrical(level: Level): Level {
    return (this.activeLow ? 1 - level : level) as Level;
  }
}

/**
 * Digital pins on a Firmata board by Firmata pin number (`PinRef.pin`). Inputs use Firmata's
 * digital reporting: the board sends a port message on every change, and each report is fed to
 * the shared Debouncer on our clock, so debounce behaves as it does on the other backends.
 */
export interface FirmataGpioOptions {
  /** Confirm every output's latched level with the board on this period (ms). Off by default. */
  readonly confirmOutputsMs?: number;
  /** Reply timeout of one confirmation. Default 250 ms. */
  readonly confirmTimeoutMs?: number;
}

export class FirmataGpio implements GpioBackend {
  readonly name = 'firmata';
  private readonly claimed = new Map<number, { close(): void }>();
  private readonly outputs = new Set<FirmataOutput>();
  private readonly inputs = new Set<number>();
  private readonly errorListeners = new Set<(err: HalError) => void>();
  private confirmTimer: TimerHandle | undefined;
  private confirming = false;

  constructor(
    private readonly io: FirmataIo,
    private readonly clock: Clock,
    private readonly options: FirmataGpioOptions = {},
  ) {
    const period = options.confirmOutputsMs;
    if (period !== undefined) {
      if (!io.queryPinState) throw new HalError('invalid', 'firmata: confirmOutputsMs needs an io with queryPinState');
      this.confirmTimer = clock.setInterval(() => void this.confirmAll(), period);
    }
  }

  /** Failed confirmations (the board stopped answering pin-state queries). */
  onError(listener: (err: HalError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Confirms every open output once, one query at a time; a round still running is not overlapped. */
  async confirmAll(): Promise<void> {
    if (this.confirming) return;
    this.confirming = true;
    try {
      for (const out of [...this.outputs]) {
        if (!out.isOpen) continue;
        try {
          await out.confirm(this.options.confirmTimeoutMs ?? 250);
        } catch (err) {
          const e = HalError.from(err, 'firmata confirm');
          for (const l of this.errorListeners) l(e);
        }
      }
    } finally {
      this.confirming = false;
    }
  }

  output(ref: PinRef, options: OutputOptions = {}): DigitalOut {
    const pin = ref.pin;
    this.claim(pin, this.io.MODES.OUTPUT, 'output');
    const activeLow = options.activeLow ?? false;
    const initial = options.initial ?? 0;
    try {
      // Set the latch before switching to OUTPUT: pinMode alone drives whatever the port latch
      // holds (0 after reset), which on an active-low relay board is every lamp on for a moment.
      // StandardFirmata latches a 1 written to an INPUT pin (as its pull-up), so this is glitch-free.
      if ((activeLow ? 1 - initial : initial) === 1) this.io.digitalWrite(pin, 1);
      this.io.pinMode(pin, this.io.MODES.OUTPUT);
    } catch (err) {
      throw HalError.from(err, `firmata pin ${pin} pinMode OUTPUT`);
    }
    const out: FirmataOutput = new FirmataOutput(
      ref, this.io, this.clock, activeLow, initial,
      () => {
        this.claimed.delete(pin);
        this.outputs.delete(out);
      },
      this.confirmTimer !== undefined,
    );
    this.claimed.set(pin, out);
    this.outputs.add(out);
    out.write(initial);
    return out;
  }

  input(ref: PinRef, options: InputOptions = {}): DigitalIn {
    const pin = ref.pin;
    const io = this.io;
    this.claim(pin, io.MODES.INPUT, 'input');
    const activeLow = options.activeLow ?? false;
    const toLogical = (v: number): Level => ((v ? 1 : 0) ^ (activeLow ? 1 : 0)) as Level;
    try {
      io.pinMode(pin, io.MODES.INPUT);
    } catch (err) {
      throw HalError.from(err, `firmata pin ${pin} pinMode INPUT`);
    }
    const deb = new Debouncer(this.clock, options.debounceMs ?? 0, toLogical(io.pins[pin]?.value ?? 0));
    const onReport = (value: number): void => deb.input(toLogical(value));
    io.digitalRead(pin, onReport);
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      deb.dispose();
      io.removeListener?.(`digital-read-${pin}`, onReport as (...args: unknown[]) => void);
      this.claimed.delete(pin);
      this.inputs.delete(pin);
      // Firmata reports whole 8-pin ports: stop only when no other input shares this one.
      if (![...this.inputs].some((p) => p >> 3 === pin >> 3)) io.reportDigitalPin?.(pin, 0);
    };
    this.claimed.set(pin, { close });
    this.inputs.add(pin);
    return {
      ref,
      read: () => deb.level,
      onChange: (l: EdgeListener) => deb.onChange(l),
      close,
    };
  }

  async close(): Promise<void> {
    this.clock.clearTimer(this.confirmTimer);
    this.confirmTimer = undefined;
    for (const c of [...this.claimed.values()]) c.close();
    this.claimed.clear();
  }

  private claim(pin: number, mode: number, what: string): void {
    if (!Number.isInteger(pin) || pin < 0) throw new HalError('invalid', `firmata: pin ${pin} is not a Firmata pin number`);
    const rec = this.io.pins[pin];
    if (!rec) throw new HalError('notFound', `firmata: pin ${pin} does not exist (the board reports ${this.io.pins.length} pins)`);
    if (this.claimed.has(pin)) throw new HalError('busy', `firmata: pin ${pin} is already claimed`, 'EBUSY');
    const modes = rec.supportedModes;
    if (modes && modes.length > 0 && !modes.includes(mode)) {
      throw new HalError('invalid', `firmata: pin ${pin} cannot be a digital ${what} (supported modes: ${modes.join(', ')})`);
    }
  }
}
