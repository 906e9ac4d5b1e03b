import type { Probe } from './probe.js';
import type { BoardProfile, PinFunction } from './types.js';

/** One row of `wayside boards pins BOARD --json`. */
export interface ResolvedPin {
  pin: number;
  function: PinFunction;
  /** gpiochip label and line offset; null for power and ground pins. */
  chip: string | null;
  line: number | null;
  /** Legacy sysfs number: base of the chip with that label under the probed root + line; null when absent. */
  sysfs: number | null;
  name: string | null;
  /** For I2C pins: `/dev/i2c-N`. */
  i2cBus: number | null;
}

/**
 * Header pins with their sysfs numbers computed from the probed system. Nothing is
 * hard-coded: the Pi 4's `pinctrl-bcm2711` base is 0 or 512 depending on the kernel, so
 * the same profile yields 17 or 529 for pin 11.
 */
export function resolvePins(board: BoardProfile, probe: Pick<Probe, 'gpioChips'>): ResolvedPin[] {
  const bases = new Map<string, { base: number; ngpio: number }>();
  // First chip with a label wins: a label appears once on every board we know.
  for (const c of probe.gpioChips) if (!bases.has(c.label)) bases.set(c.label, c);
  return board.header.map((p) => {
    const chip = bases.get(p.chip ?? '');
    const inRange = chip !== undefined && p.line !== undefined && p.line < chip.ngpio;
    return {
      pin: p.pin,
      function: p.function,
      chip: p.chip ?? null,
      line: p.line ?? null,
      sysfs: inRange ? chip.base + p.line! : null,
      name: p.name ?? null,
      i2cBus: p.i2cBus ?? null,
    };
  });
}

/** A single header pin, or undefined when the board's header has no such pin. */
export function headerPin(board: BoardProfile, pin: number) {
  return board.header.find((p) => p.pin === pin);
}
