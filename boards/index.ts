import { jetsonNano } from './jetson-nano.js';
import { jetsonOrinNano } from './jetson-orin-nano.js';
import { orangePi5 } from './orange-pi-5.js';
import { raspberryPi4 } from './raspberry-pi-4.js';
import { raspberryPi5 } from './raspberry-pi-5.js';
import { rock5b } from './rock-5b.js';
import { sim } from './sim.js';
import type { BoardProfile } from './types.js';

export type { BoardProfile, HeaderPin, I2cBusProfile, CpuCluster, PinFunction } from './types.js';

/** Every known board, real ones first; `sim` is last so detection never prefers it. */
export const BOARDS: readonly BoardProfile[] = [raspberryPi4, raspberryPi5, jetsonNano, jetsonOrinNano, rock5b, orangePi5, sim];

export const BOARD_IDS: readonly string[] = BOARDS.map((b) => b.id);

/** The profile with this id, or undefined. */
export function getBoard(id: string): BoardProfile | undefined {
  return BOARDS.find((b) => b.id === id);
}
