import type { Level } from '../../hal/gpio.js';
import type { ChipInfo } from './chips.js';

/**
 * One way of holding gpiochip lines: node-libgpiod (in-process ioctls) or the libgpiod 1.6
 * command-line tools. Levels are logical: active-low is applied by the kernel (request flag / -l).
 */
export interface LineProvider {
  readonly kind: 'node-libgpiod' | 'gpio-tools';
  /** Whether `OutputLine.get()` reads the line (true) or nothing (false: tools can't without re-requesting it as input). */
  readonly readbackIsReal: boolean;
  output(chip: ChipInfo, offset: number, activeLow: boolean, initial: Level, consumer: string): OutputLine;
  /** Requests an input; `onSample` gets levels (possibly repeated) as they are seen. */
  input(chip: ChipInfo, offset: number, activeLow: boolean, consumer: string, onSample: (level: Level) => void): InputLine;
  close(): void;
}

export interface OutputLine {
  set(level: Level): void;
  /** Logical level read from the line, or null when this provider cannot read outputs. */
  get(): Level | null;
  release(): void;
}

export interface InputLine {
  readonly initial: Level;
  release(): void;
}

/** Throws errors shaped like Node's ErrnoException so HalError.from maps them. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}
