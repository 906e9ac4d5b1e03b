import type { GpioBackend } from '../../hal/backend.js';
import type { Clock } from '../../hal/clock.js';
import { Debouncer } from '../../hal/debounce.js';
import { HalError } from '../../hal/errors.js';
import type { DigitalIn, DigitalOut, EdgeListener, InputOptions, Level, OutputOptions, PinRef } from '../../hal/gpio.js';
import { findChip, type ChipInfo, type ChipLookup } from './chips.js';
import type { LineProvider } from './lines.js';

const HINTS: Partial<Record<HalError['kind'], string>> = {
  busy: 'the line is held by another consumer (see `gpioinfo`: a kernel driver, an overlay, another process)',
  access: 'add the service user to group "gpio" (or a udev rule giving it /dev/gpiochip*)',
  invalid: 'the line offset is out of range for this chip; check the board profile',
};

export type ChardevErrorListener = (err: HalError) => void;

/**
 * GPIO on the gpiochip character device, addressed by chip label + line offset from the PinRef
 * (never a global number: chip numbers and bases move between kernels). This is the only GPIO
 * interface on JetPack 6 and on recent Raspberry Pi 5 kernels.
 */
export class ChardevGpio implements GpioBackend {
  readonly name = 'linux-chardev';
  private readonly claimed = new Map<string, { close(): void }>();
  private readonly errorListeners = new Set<ChardevErrorListener>();

  constructor(
    readonly lines: LineProvider,
    private readonly lookup: ChipLookup,
    private readonly clock: Clock,
    private readonly consumer = 'wayside',
  ) {}

  /** Errors that happen outside a call (an input's monitor died); a dead input must not look idle. */
  onError(listener: ChardevErrorListener): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Lets the line provider report a failure on an open input. */
  reportError(err: unknown, chip: ChipInfo, offset: number): void {
    const e = this.wrap(err, `${chip.name} [${chip.label}] line ${offset}`, 'monitor');
    for (const l of this.errorListeners) l(e);
  }

  output(ref: PinRef, options: OutputOptions = {}): DigitalOut {
    const { chip, offset, where, key } = this.resolve(ref);
    const activeLow = options.activeLow ?? false;
    let last: Level = options.initial ?? 0;
    let line;
    try {
      line = this.lines.output(chip, offset, activeLow, last, this.consumer);
    } catch (err) {
      throw this.wrap(err, where, 'request as output');
    }
    const l = line;
    const { close, isOpen } = this.claim(key, where, l);
    return {
      ref,
      readbackIsReal: this.lines.readbackIsReal,
      write: (level: Level): void => {
        if (!isOpen()) throw new HalError('invalid', `linux-chardev ${where} written after close`);
        try {
          l.set(level);
        } catch (err) {
          throw this.wrap(err, where, `write ${level}`);
        }
        last = level;
      },
      read: (): Level => {
        if (!isOpen()) throw new HalError('invalid', `linux-chardev ${where} read after close`);
        let v: Level | null;
        try {
          v = l.get();
        } catch (err) {
          throw this.wrap(err, where, 'read back');
        }
        return v ?? last;
      },
      close,
    };
  }

  /** Records a requested line as ours; `close` (idempotent) forgets it and releases the line. */
  private claim(key: string, where: string, line: { release(): void }, onClose?: () => void): { close: () => void; isOpen: () => boolean } {
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      this.claimed.delete(key);
      onClose?.();
      try {
        line.release();
      } catch (err) {
        throw this.wrap(err, where, 'release');
      }
    };
    this.claimed.set(key, { close });
    return { close, isOpen: () => open };
  }

  input(ref: PinRef, options: InputOptions = {}): DigitalIn {
    const { chip, offset, where, key } = this.resolve(ref);
    let deb: Debouncer | undefined;
    let line;
    try {
      line = this.lines.input(chip, offset, options.activeLow ?? false, this.consumer, (v) => deb?.input(v));
    } catch (err) {
      throw this.wrap(err, where, 'request as input');
    }
    const d = new Debouncer(this.clock, options.debounceMs ?? 0, line.initial);
    deb = d;
    const { close } = this.claim(key, where, line, () => d.dispose());
    return {
      ref,
      read: () => d.level,
      onChange: (fn: EdgeListener) => d.onChange(fn),
      close,
    };
  }

  async close(): Promise<void> {
    let first: unknown;
    for (const c of [...this.claimed.values()]) {
      try {
        c.close();
      } catch (err) {
        first ??= err;
      }
    }
    this.lines.close();
    if (first) throw first;
  }

  private resolve(ref: PinRef): { chip: ChipInfo; offset: number; where: string; key: string } {
    if (ref.chip === undefined || ref.line === undefined) {
      throw new HalError('invalid', `linux-chardev: header pin ${ref.pin} has no chip label / line offset (is it a GPIO on this board's header?)`);
    }
    let chip: ChipInfo;
    try {
      chip = findChip(ref.chip, this.lookup);
    } catch (err) {
      const e = err as HalError;
      throw new HalError(e.kind, `${e.message.replace('linux-chardev:', `linux-chardev header pin ${ref.pin} (${ref.chip} line ${ref.line}):`)} — is this the right board profile, and does the kernel expose /dev/gpiochip*?`, e.code);
    }
    const key = `${chip.name}:${ref.line}`;
    const where = `header pin ${ref.pin} (${ref.chip} line ${ref.line} on ${chip.name})`;
    if (this.claimed.has(key)) throw new HalError('busy', `linux-chardev ${where}: already in use by this process`, 'EBUSY');
    return { chip, offset: ref.line, where, key };
  }

  private wrap(err: unknown, where: string, doing: string): HalError {
    const e = HalError.from(err, `linux-chardev ${where} ${doing}`);
    const hint = HINTS[e.kind];
    return hint ? new HalError(e.kind, `${e.message} — ${hint}`, e.code, { cause: e.cause }) : e;
  }
}
