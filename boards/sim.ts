import type { BoardProfile, HeaderPin } from './types.js';

/**
 * The simulated cabinet board: 64 GPIO lines numbered like header pins (enough for eight
 * phases of red/yellow/green, pedestrian heads and detector inputs) and two I2C buses.
 * It stands for the relay/IO-expander boards real cabinets use when a 40-pin header is too small.
 */
const header: HeaderPin[] = Array.from({ length: 64 }, (_, i) => ({
  pin: i + 1,
  function: 'gpio' as const,
  chip: 'sim-gpio',
  line: i + 1,
  name: `SIM${i + 1}`,
}));

export const sim: BoardProfile = {
  id: 'sim',
  name: 'Simulated cabinet',
  soc: 'simulator',
  compatible: ['wayside,sim'],
  socCompatible: [],
  header,
  i2cBuses: [
    { bus: 1, sdaPin: 0, sclPin: 0, note: 'virtual bus, not on the header' },
    { bus: 2, sdaPin: 0, sclPin: 0, note: 'virtual bus, not on the header' },
  ],
  cpu: { clusters: [] },
  gpioBackend: 'sim',
  i2cBackend: 'sim',
  affinity: { control: [], inference: [], system: [] },
  ramMb: 0,
};
