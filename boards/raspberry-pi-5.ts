import { raspberryPiHeader, raspberryPiI2c } from './raspberry-pi.js';
import type { BoardProfile } from './types.js';

/**
 * Raspberry Pi 5: BCM2712, 4× Cortex-A76 (0xd0b). The header is wired to the RP1 south
 * bridge (`pinctrl-rp1`, base 571 on current kernels). Recent Pi 5 kernels have no usable
 * sysfs GPIO and pigpio does not support RP1, so the character device is the only backend.
 */
export const raspberryPi5: BoardProfile = {
  id: 'raspberry-pi-5',
  name: 'Raspberry Pi 5',
  soc: 'BCM2712',
  compatible: ['raspberrypi,5-model-b', 'raspberrypi,500', 'raspberrypi,5-compute-module'],
  socCompatible: ['brcm,bcm2712'],
  header: raspberryPiHeader('pinctrl-rp1'),
  i2cBuses: [...raspberryPiI2c],
  cpu: { clusters: [{ name: 'A76', cores: [0, 1, 2, 3], part: '0xd0b', big: true }] },
  gpioBackend: 'linux-chardev',
  i2cBackend: 'i2c-bus',
  affinity: { control: [3], inference: [1, 2], system: [0] },
  ramMb: 8192,
  headerSize: 40,
  nice: -5,
};
