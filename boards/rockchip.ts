import type { HeaderPin } from './types.js';

/**
 * Rockchip numbers a GPIO globally as bank·32 + offset (GPIO3_B5 = 3·32 + 1·8 + 5 = 109).
 * The kernel registers each bank as its own gpiochip labelled `gpio0` … `gpio4`, so a
 * global number becomes chip `gpio<bank>`, line `number % 32`. The sysfs base of each chip
 * is read from the running system (pins.ts), not assumed to be bank·32.
 */
export function rockchipPin(pin: number, global: number, extra: Partial<HeaderPin> = {}): HeaderPin {
  const bank = Math.floor(global / 32);
  const line = global % 32;
  const port = 'ABCD'[Math.floor(line / 8)];
  return {
    pin,
    function: 'gpio',
    chip: `gpio${bank}`,
    line,
    name: `GPIO${bank}_${port}${line % 8}`,
    ...extra,
  };
}
