import { byPin, powerPins } from './header-40.js';
import { rockchipPin } from './rockchip.js';
import type { BoardProfile, HeaderPin } from './types.js';

/**
 * Orange Pi 5: RK3588S (same CPU layout as the RK3588) with a 26-pin header, not 40.
 * Rockchip global numbers from reference/boards.md. Pins 3/5 are I2C5 (M3) when the
 * overlay is enabled (`/dev/i2c-5`).
 */
const GPIO: ReadonlyArray<readonly [number, number]> = [
  [7, 54], [8, 131], [10, 132], [11, 138], [12, 29], [13, 139], [15, 28], [16, 59], [18, 58],
  [19, 49], [21, 48], [22, 92], [23, 50], [24, 52], [26, 35],
];

const header: HeaderPin[] = byPin([
  ...powerPins(26),
  rockchipPin(3, 47, { function: 'i2c-sda', i2cBus: 5 }),
  rockchipPin(5, 46, { function: 'i2c-scl', i2cBus: 5 }),
  ...GPIO.map(([pin, global]) => rockchipPin(pin, global)),
]);

export const orangePi5: BoardProfile = {
  id: 'orange-pi-5',
  name: 'Orange Pi 5',
  soc: 'RK3588S',
  compatible: ['xunlong,orangepi-5', 'xunlong,orangepi-5b'],
  socCompatible: ['rockchip,rk3588s'],
  header,
  i2cBuses: [{ bus: 5, sdaPin: 3, sclPin: 5, note: 'needs the i2c5-m3 overlay' }],
  cpu: {
    clusters: [
      { name: 'A55', cores: [0, 1, 2, 3], part: '0xd05', big: false },
      { name: 'A76-0', cores: [4, 5], part: '0xd0b', big: true },
      { name: 'A76-1', cores: [6, 7], part: '0xd0b', big: true },
    ],
  },
  gpioBackend: 'linux-chardev',
  i2cBackend: 'i2c-bus',
  affinity: { control: [4], inference: [6, 7], system: [0, 1, 2, 3] },
  ramMb: 8192,
  headerSize: 26,
  nice: -5,
};
