import type { GpioBackend } from '../../hal/backend.js';
import type { Clock } from '../../hal/clock.js';
import { Debouncer } from '../../hal/debounce.js';
import { HalError } from '../../hal/errors.js';
import type { DigitalIn, DigitalOut, EdgeListener, InputOptions, Level, OutputOptions, PinRef } from '../../hal/gpio.js';

/** The part of onoff's `Gpio` used here (tests pass a fake with the same shape). */
export interface OnoffGpio {
  readSync(): 0 | 1;
  writeSync(value: 0 | 1): void;
  watch(callback: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

export type OnoffGpioClass = new (
  gpio: number,
  direction: 'in' | 'out' | 'high' | 'low',
  edge?: 'none' | 'rising' | 'falling' | 'both',
  options?: { activeLow?: boolean; debounceTimeout?: number },
) => OnoffGpio;

/** "header pin 11 (pinctrl-bcm2711 line 17 = gpio529)" */
export function describePin(ref: PinRef): string {
  const where = ref.chip !== undefined ? `${ref.chip} line ${ref.line ?? '?'}` : 'no chip';
  const num = typeof ref.sysfs === 'number' ? ` = gpio${ref.sysfs}` : '';
  return `header pin ${ref.pin} (${where}${num})`;
}

/** Wraps what onoff threw, adding what an operator can do about the common causes. */
export function sysfsError(err: unknown, ref: PinRef, doing: string): HalError {
  const e = HalError.from(err, `linux-sysfs ${describePin(ref)} ${doing}`);
  const hint: Partial<Record<HalError['kind'], string>> = {
    invalid: `gpio${ref.sysfs} is not a valid number on this kernel: the chip base moves between kernels (a Pi 4 on 6.6+ has base 512); check \`wayside boards pins\``,
    busy: `gpio${ref.sysfs} is already exported or claimed (another process, a device-tree overlay or a kernel driver)`,
    access: 'add the service user to group "gpio" (or install the udev rule that gives the group /sys/class/gpio)',
    notFound: 'this kernel has no sysfs GPIO for it (JetPack 6, recent Pi 5 kernels), or names the exported directory after the pin (JetPack 5: PAC.06, not gpio492), which onoff cannot follow: use backend linux-chardev',
  };
  const h = hint[e.kind];
  return h ? new HalError(e.kind, `${e.message} — ${h}`, e.code, { cause: e.cause }) : e;
}

/**
 * Note: onoff silently reuses a line that is already exported (by another process, or by a run
 * of ours that died without unexporting); only the kernel's own refusals (a line claimed by a
 * driver) come back as EBUSY.
 *
 * GPIO through the legacy sysfs interface via onoff, addressed by the PinRef's sysfs number
 * (computed by the board profile from the chip's base on this machine, never hard-coded).
 * Active-low uses the kernel's own `active_low`, so the value file and onoff speak logical
 * levels. Edges come from onoff's epoll watch and go through the shared Debouncer on our clock
 * (not onoff's wall-clock debounce), so loop inputs behave as on the simulator.
 */
export class SysfsGpio implements GpioBackend {
  readonly name = 'linux-sysfs';
  private readonly claimed = new Map<number, { close(): void }>();

  constructor(
    private readonly Gpio: OnoffGpioClass,
    private readonly clock: Clock,
  ) {}

  output(ref: PinRef, options: OutputOptions = {}): DigitalOut {
    const n = this.number(ref);
    const activeLow = options.activeLow ?? false;
    const initial = options.initial ?? 0;
    // sysfs "high"/"low" set the raw (electrical) level together with the direction, so the
    // pin never glitches through the wrong level; compute it from the logical initial level.
    const rawInitial = activeLow ? 1 - initial : initial;
    let g: OnoffGpio;
    try {
      g = new this.Gpio(n, rawInitial ? 'high' : 'low', 'none', { activeLow });
    } catch (err) {
      throw sysfsError(err, ref, 'export as output');
    }
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      this.claimed.delete(n);
      try {
        g.unexport();
      } catch (err) {
        throw sysfsError(err, ref, 'unexport');
      }
    };
    this.claimed.set(n, { close });
    return {
      ref,
      // The value file of an output reads the pin's level register (GPLEV on a Pi), not our intent.
      readbackIsReal: true,
      write(level: Level): void {
        if (!open) throw new HalError('invalid', `linux-sysfs ${describePin(ref)} written after close`);
        try {
          g.writeSync(level);
        } catch (err) {
          throw sysfsError(err, ref, `write ${level}`);
        }
      },
      read(): Level {
        if (!open) throw new HalError('invalid', `linux-sysfs ${describePin(ref)} read after close`);
        try {
          return g.readSync();
        } catch (err) {
          throw sysfsError(err, ref, 'read back');
        }
      },
      close,
    };
  }

  input(ref: PinRef, options: InputOptions = {}): DigitalIn {
    const n = this.number(ref);
    let g: OnoffGpio;
    try {
      g = new this.Gpio(n, 'in', 'both', { activeLow: options.activeLow ?? false });
    } catch (err) {
      throw sysfsError(err, ref, 'export as input');
    }
    let initial: Level;
    try {
      initial = g.readSync();
    } catch (err) {
      try {
        g.unexport();
      } catch {
        // already failing; report the read error
      }
      throw sysfsError(err, ref, 'read');
    }
    const deb = new Debouncer(this.clock, options.debounceMs ?? 0, initial);
    g.watch((err, value) => {
      if (!err) deb.input(value);
    });
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      this.claimed.delete(n);
      deb.dispose();
      g.unwatchAll();
      try {
        g.unexport();
      } catch (err) {
        throw sysfsError(err, ref, 'unexport');
      }
    };
    this.claimed.set(n, { close });
    return {
      ref,
      read: () => deb.level,
      onChange: (l: EdgeListener) => deb.onChange(l),
      close,
    };
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const c of [...this.claimed.values()]) {
      try {
        c.close();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  private number(ref: PinRef): number {
    if (typeof ref.sysfs !== 'number') {
      throw new HalError(
        'notFound',
        `linux-sysfs ${describePin(ref)}: no sysfs GPIO number — chip "${ref.chip ?? '?'}" is not under /sys/class/gpio on this machine (use backend linux-chardev, or check the board profile)`,
      );
    }
    if (this.claimed.has(ref.sysfs)) {
      throw new HalError('busy', `linux-sysfs ${describePin(ref)}: gpio${ref.sysfs} is already in use by this process`, 'EBUSY');
    }
    return ref.sysfs;
  }
}
