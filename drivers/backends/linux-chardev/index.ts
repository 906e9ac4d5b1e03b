import type { BackendContext } from '../../hal/backend.js';
import { runGpiodetect } from './chips.js';
import { ChardevGpio } from './gpio.js';
import { LibgpiodLines, type LibgpiodModule } from './libgpiod.js';
import type { LineProvider } from './lines.js';
import { DEFAULT_TOOLS, ToolLines, type GpioTools } from './tools.js';

export { ChardevGpio } from './gpio.js';
export { findChip, listChipsSysfs, parseGpiodetect, type ChipInfo } from './chips.js';
export { LibgpiodLines, type LibgpiodModule, type LibgpiodLine } from './libgpiod.js';
export { ToolLines, DEFAULT_TOOLS, type GpioTools } from './tools.js';
export type { LineProvider, OutputLine, InputLine } from './lines.js';

export interface ChardevOpenOptions {
  /** Loads node-libgpiod (default: the optional dependency). Return/throw to fall back to the tools. */
  readonly loadLibgpiod?: () => Promise<LibgpiodModule>;
  /** Tool paths for the fallback (default: gpioset/gpioget/gpiomon/gpiodetect on PATH). */
  readonly tools?: Partial<GpioTools>;
  /** Input sampling period with node-libgpiod, on the context clock. Default 5 ms. */
  readonly pollMs?: number;
  /** `consumer` label shown by gpioinfo. Default "wayside". */
  readonly consumer?: string;
}

async function loadReal(): Promise<LibgpiodModule> {
  const name = 'node-libgpiod'; // optional dependency: may be absent, so not a static import
  const mod = (await import(name)) as LibgpiodModule & { default?: LibgpiodModule };
  return mod.default?.Chip ? mod.default : mod;
}

/**
 * Opens the character-device GPIO backend: node-libgpiod when it loads, else the libgpiod
 * command-line tools. The returned `gpio.lines.kind` says which one is in use.
 */
export async function open(ctx: BackendContext, options: ChardevOpenOptions = {}): Promise<{ gpio: ChardevGpio }> {
  const root = ctx.root ?? '/';
  const tools: GpioTools = { ...DEFAULT_TOOLS, ...options.tools };
  // gpiodetect sees the real /dev only; with a fake root, chips come from its sysfs alone.
  const lookup = { root, gpiodetect: root === '/' ? () => runGpiodetect(tools.gpiodetect) : undefined };
  let lines: LineProvider;
  let gpio: ChardevGpio | undefined;
  try {
    const lib = await (options.loadLibgpiod ?? loadReal)();
    if (typeof lib?.Chip !== 'function' || typeof lib?.Line !== 'function') throw new Error('node-libgpiod has no Chip/Line');
    lines = new LibgpiodLines(lib, ctx.clock, options.pollMs ?? 5);
  } catch {
    lines = new ToolLines(tools, (err, chip, offset) => gpio?.reportError(err, chip, offset));
  }
  gpio = new ChardevGpio(lines, lookup, ctx.clock, options.consumer ?? 'wayside');
  return { gpio };
}
