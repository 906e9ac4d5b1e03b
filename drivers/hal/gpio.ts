/**
 * Digital pins. Lamp outputs are written synchronously: every real backend we drive
 * (sysfs via onoff's writeSync, the gpiochip character device, Firmata's digitalWrite)
 * is synchronous, and a lamp change must not wait behind unrelated promise work.
 */
export type Level = 0 | 1;

/** Where a pin is: the header pin number, plus what the board profile resolved it to. */
export interface PinRef {
  /** Header pin (physical numbering) or Firmata pin number: what the site file names. */
  readonly pin: number;
  /** gpiochip label the line is on (`pinctrl-bcm2711`, `tegra234-gpio`, `gpio3`), if known. */
  readonly chip?: string;
  /** Line offset on that chip. */
  readonly line?: number;
  /** sysfs GPIO number computed from the chip's base on this machine, or null when the chip is absent. */
  readonly sysfs?: number | null;
}

export interface OutputOptions {
  /** Logical 1 drives the pin low (lamp relays wired active-low). Default false. */
  readonly activeLow?: boolean;
  /** Level written when the output is opened. Default 0 (lamp off). */
  readonly initial?: Level;
}

export interface InputOptions {
  readonly activeLow?: boolean;
  /** A level must hold this long before a change is reported. Default 0. */
  readonly debounceMs?: number;
}

export interface DigitalOut {
  readonly ref: PinRef;
  /**
   * Sets the logical level. Must have reached the pin (or the Firmata serial queue) before
   * returning. Throws HalError on failure.
   */
  write(level: Level): void;
  /**
   * Reads back the logical level actually present on the output, where the backend can
   * (sim, Firmata, chardev). The conflict monitor uses this, never the controller's intent.
   * Backends that cannot read back return the last written level and set `readbackIsReal` false.
   */
  read(): Level;
  readonly readbackIsReal: boolean;
  /** Releases the line (unexport / close). Writes after close throw. */
  close(): void;
}

export type EdgeListener = (level: Level, tMs: number) => void;

export interface DigitalIn {
  readonly ref: PinRef;
  /** Current debounced logical level. */
  read(): Level;
  /** Called on every debounced change, with the clock time the change became stable. */
  onChange(listener: EdgeListener): () => void;
  close(): void;
}
