import { raspberryPiHeader, raspberryPiI2c } from './raspberry-pi.js';
import type { BoardProfile } from './types.js';

/**
 * Raspberry Pi 4 Model B: BCM2711, 4× Cortex-A72 (CPU part 0xd08) in one cluster.
 * The header lines sit on `pinctrl-bcm2711`, whose sysfs base is 0 before kernel 6.6 and
 * 512 from 6.6 on (Raspberry Pi OS Bookworm) — hence sysfs numbers come from the probe.
 * GPIO backend: the character device. sysfs still works on the Pi 4, but the kernel marks
 * it obsolete and the base move broke every tool that hard-coded numbers; the chardev
 * addresses a line by chip label + offset, exactly what this profile stores.
 */
export const raspberryPi4: BoardProfile = {
  id: 'raspberry-pi-4',
  name: 'Raspberry Pi 4 Model B',
  soc: 'BCM2711',
  compatible: ['raspberrypi,4-model-b', 'raspberrypi,400', 'raspberrypi,4-compute-module'],
  socCompatible: ['brcm,bcm2711'],
  header: raspberryPiHeader('pinctrl-bcm2711'),
  i2cBuses: [...raspberryPiI2c],
  cpu: { clusters: [{ name: 'A72', cores: [0, 1, 2, 3], part: '0xd08', big: true }] },
  gpioBackend: 'linux-chardev',
  i2cBackend: 'i2c-bus',
  // Core 0 takes most interrupts (USB, Ethernet); the control loop gets the quietest core.
  affinity: { control: [3], inference: [1, 2], system: [0] },
  ramMb: 4096,
  headerSize: 40,
  nice: -5,
};
