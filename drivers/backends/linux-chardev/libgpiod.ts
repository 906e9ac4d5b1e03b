import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { Level } from '../../hal/gpio.js';
import type { ChipInfo } from './chips.js';
import type { InputLine, LineProvider, OutputLine } from './lines.js';

/** The part of node-libgpiod 0.5 (libgpiod 1.x) used here; tests pass a fake. */
export interface LibgpiodLine {
  getValue(): 0 | 1;
  setValue(value: 0 | 1): void;
  requestOutputModeFlags(consumer: string, flags: number, defaultValue?: number): void;
  requestInputModeFlags(consumer: string, flags: number): void;
  release(): void;
}

export interface LibgpiodModule {
  Chip: new (identifier: string | number) => object;
  Line: (new (chip: object, offset: number) => LibgpiodLine) & { RequestFlags: { ACTIVE_LOW: number } };
}

/**
 * Lines through node-libgpiod. Outputs are set and read back with ioctls (the read returns the
 * line's level as the driver reports it, so a stuck driver shows). node-libgpiod 0.5 can request
 * edge events but has no call to read them, so inputs are sampled on the clock every `pollMs`
 * (5 ms default: far below the 100+ ms a loop detector call lasts) and debounced above.
 */
export class LibgpiodLines implements LineProvider {
  readonly kind = 'node-libgpiod' as const;
  readonly readbackIsReal = true;
  private readonly chips = new Map<string, object>();
  // An array, not a Set: the poll runs every few ms and must not allocate an iterator.
  private polled: { line: LibgpiodLine; onSample: (l: Level) => void }[] = [];
  private timer: TimerHandle | undefined;

  constructor(
    private readonly lib: LibgpiodModule,
    private readonly clock: Clock,
    private readonly pollMs = 5,
  ) {}

  output(chip: ChipInfo, offset: number, activeLow: boolean, initial: Level, consumer: string): OutputLine {
    const line = new this.lib.Line(this.chip(chip), offset);
    line.requestOutputModeFlags(consumer, activeLow ? this.lib.Line.RequestFlags.ACTIVE_LOW : 0, initial);
    return {
      set: (level) => line.setValue(level),
      get: () => line.getValue(),
      release: () => line.release(),
    };
  }

  input(chip: ChipInfo, offset: number, activeLow: boolean, consumer: string, onSample: (level: Level) => void): InputLine {
    const line = new this.lib.Line(this.chip(chip), offset);
    line.requestInputModeFlags(consumer, activeLow ? this.lib.Line.RequestFlags.ACTIVE_LOW : 0);
    const initial = line.getValue();
    const entry = { line, onSample };
    this.polled.push(entry);
    this.timer ??= this.clock.setInterval(() => this.poll(), this.pollMs);
    return {
      initial,
      release: () => {
        this.polled = this.polled.filter((p) => p !== entry);
        if (this.polled.length === 0) {
          this.clock.clearTimer(this.timer);
          this.timer = undefined;
        }
        line.release();
      },
    };
  }

  close(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.polled = [];
    // Chips close when garbage-collected; node-libgpiod has no explicit close.
    this.chips.clear();
  }

  private poll(): void {
    const polled = this.polled;
    for (let i = 0; i < polled.length; i++) {
      const p = polled[i]!;
      let v: Level;
      try {
        v = p.line.getValue();
      } catch {
        continue; // a transient ioctl failure: keep the last level, try next period
      }
      p.onSample(v);
    }
  }

  private chip(info: ChipInfo): object {
    // One Chip object per chip, kept referenced: node-libgpiod releases lines whose chip is collected.
    let c = this.chips.get(info.name);
    if (!c) {
      c = new this.lib.Chip(info.name);
      this.chips.set(info.name, c);
    }
    return c;
  }
}
