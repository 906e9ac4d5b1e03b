import { byPin, powerPins } from './header-40.js';
import { rockchipPin } from './rockchip.js';
import type { BoardProfile, HeaderPin } from './types.js';

/**
 * Radxa Rock 5B: RK3588, cpu0-3 Cortex-A55 (0xd05, LITTLE), cpu4-5 and cpu6-7 Cortex-A76
 * (0xd0b) as two big clusters. Header: Rockchip global numbers from reference/boards.md,
 * turned into chip `gpio<bank>` + line by rockchipPin(). Pins 3/5 are I2C7 (M3) with the
 * Radxa overlay enabled (`/dev/i2c-7`); without it they are plain GPIO4_B3/B2.
 * Pins 22 and 37 are not in the reference table (not plain GPIO there): marked `other`.
 */
const GPIO: ReadonlyArray<readonly [number, number]> = [
  [7, 115], [8, 13], [10, 14], [11, 113], [12, 109], [13, 111], [15, 112], [16, 100], [18, 148],
  [19, 42], [21, 41], [23, 43], [24, 44], [26, 45], [27, 150], [28, 149], [29, 63], [31, 47],
  [32, 114], [33, 103], [35, 110], [36, 105], [38, 106], [40, 107],
];

const header: HeaderPin[] = byPin([
  ...powerPins(40),
  rockchipPin(3, 139, { function: 'i2c-sda', i2cBus: 7 }),
  rockchipPin(5, 138, { function: 'i2c-scl', i2cBus: 7 }),
  { pin: 22, function: 'other', name: 'not listed as GPIO' },
  { pin: 37, function: 'other', name: 'not listed as GPIO' },
  ...GPIO.map(([pin, global]) => rockchipPin(pin, global)),
]);

export const rock5b: BoardProfile = {
  id: 'rock-5b',
  name: 'Radxa ROCK 5B',
  soc: 'RK3588',
  compatible: ['radxa,rock-5b', 'radxa,rock-5b-plus'],
  socCompatible: ['rockchip,rk3588'],
  header,
  i2cBuses: [{ bus: 7, sdaPin: 3, sclPin: 5, note: 'needs the i2c7-m3 overlay' }],
  cpu: {
    clusters: [
      { name: 'A55', cores: [0, 1, 2, 3], part: '0xd05', big: false },
      { name: 'A76-0', cores: [4, 5], part: '0xd0b', big: true },
      { name: 'A76-1', cores: [6, 7], part: '0xd0b', big: true },
    ],
  },
  // Rockchip vendor and mainline kernels both have the chardev; sysfs is obsolete there too.
  gpioBackend: 'linux-chardev',
  i2cBackend: 'i2c-bus',
  // Control on an A76 (core 4) with core 5 left idle so its cluster stays quiet; inference on
  // the other A76 cluster; everything else on the LITTLE cores.
  affinity: { control: [4], inference: [6, 7], system: [0, 1, 2, 3] },
  ramMb: 8192,
  headerSize: 40,
  nice: -5,
};
