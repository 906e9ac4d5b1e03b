import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HalError } from '../../hal/errors.js';

/** A gpiochip character device: `name` is what /dev calls it (gpiochip4), `label` what the driver calls it. */
export interface ChipInfo {
  readonly name: string;
  readonly label: string;
}

function readTrim(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Lists gpiochip devices under `root`: `/sys/bus/gpio/devices/gpiochipN/label`, or on kernels
 * that keep the label only on the legacy class device, `gpiochipN/gpiochip<base>/label`.
 */
export function listChipsSysfs(root: string): ChipInfo[] {
  const dir = join(root, 'sys', 'bus', 'gpio', 'devices');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return [];
  }
  const chips: ChipInfo[] = [];
  for (const name of names.sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))) {
    let label = readTrim(join(dir, name, 'label'));
    if (label === undefined) {
      try {
        const nested = readdirSync(join(dir, name)).find((n) => /^gpiochip\d+$/.test(n));
        if (nested) label = readTrim(join(dir, name, nested, 'label'));
      } catch {
        // no nested class device either
      }
    }
    if (label !== undefined) chips.push({ name, label });
  }
  return chips;
}

/** Parses `gpiodetect` (libgpiod 1.6): `gpiochip0 [pinctrl-bcm2711] (58 lines)`. */
export function parseGpiodetect(text: string): ChipInfo[] {
  const chips: ChipInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^(gpiochip\d+) \[(.*)\] \(\d+ lines?\)/.exec(line.trim());
    if (m) chips.push({ name: m[1]!, label: m[2]! });
  }
  return chips;
}

export interface ChipLookup {
  readonly root: string;
  /** Runs `gpiodetect` when sysfs shows no chips (only meaningful on the real root). */
  readonly gpiodetect?: () => string;
}

export function runGpiodetect(bin = 'gpiodetect'): string {
  return execFileSync(bin, [], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Finds the chip whose label is `label`. Looked up again on every request rather than cached
 * at start, because chip numbers follow probe order and can change between boots.
 */
export function findChip(label: string, lookup: ChipLookup): ChipInfo {
  let chips = listChipsSysfs(lookup.root);
  if (chips.length === 0 && lookup.gpiodetect) {
    try {
      chips = parseGpiodetect(lookup.gpiodetect());
    } catch {
      chips = [];
    }
  }
  const hit = chips.find((c) => c.label === label);
  if (hit) return hit;
  const seen = chips.length ? chips.map((c) => `${c.name} [${c.label}]`).join(', ') : 'none';
  throw new HalError('notFound', `linux-chardev: no gpiochip labelled "${label}" (found: ${seen})`, 'ENODEV');
}
