import { byPin, powerPins } from './header-40.js';
import type { HeaderPin } from './types.js';

/**
 * The Raspberry Pi 40-pin header, shared by the Pi 4 and Pi 5: physical pin → BCM line
 * (reference/boards.md; pinout.xyz). Only the gpiochip label differs: `pinctrl-bcm2711`
 * on the Pi 4, `pinctrl-rp1` (the RP1 south bridge) on the Pi 5.
 * Pins 3/5 are I2C1 (`/dev/i2c-1`); 27/28 are I2C0, reserved for the HAT ID EEPROM.
 */
const BCM: ReadonlyArray<readonly [number, number]> = [
  [7, 4], [8, 14], [10, 15], [11, 17], [12, 18], [13, 27], [15, 22], [16, 23], [18, 24],
  [19, 10], [21, 9], [22, 25], [23, 11], [24, 8], [26, 7], [29, 5], [31, 6], [32, 12],
  [33, 13], [35, 19], [36, 16], [37, 26], [38, 20], [40, 21],
];

export function raspberryPiHeader(chip: string): HeaderPin[] {
  return byPin([
    ...powerPins(40),
    { pin: 3, function: 'i2c-sda', chip, line: 2, i2cBus: 1, name: 'GPIO2 (SDA1)' },
    { pin: 5, function: 'i2c-scl', chip, line: 3, i2cBus: 1, name: 'GPIO3 (SCL1)' },
    { pin: 27, function: 'i2c-sda', chip, line: 0, i2cBus: 0, name: 'GPIO0 (ID_SD)' },
    { pin: 28, function: 'i2c-scl', chip, line: 1, i2cBus: 0, name: 'GPIO1 (ID_SC)' },
    ...BCM.map(([pin, line]): HeaderPin => ({ pin, function: 'gpio', chip, line, name: `GPIO${line}` })),
  ]);
}

export const raspberryPiI2c = [
  { bus: 1, sdaPin: 3, sclPin: 5 },
  { bus: 0, sdaPin: 27, sclPin: 28, note: 'HAT ID EEPROM; avoid for sensors' },
] as const;
