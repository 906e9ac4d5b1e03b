import type { SimI2cDevice } from '../../backends/sim/i2c.js';
import type { ChipName } from '../chip.js';

/**
 * What the simulator needs from any chip model, beyond the byte-level SimI2cDevice:
 * named physical inputs it can drive, and the chip-level faults. Bus faults (NACK bursts,
 * timeouts, a stuck bus) are injected on SimI2cBus itself.
 */
export interface ChipModel extends SimI2cDevice {
  readonly chip: ChipName;
  /** Input names `setInput` accepts, e.g. `temperature_c`, `ain0_v`, `current_a`, `accel_z_g`. */
  readonly inputs: readonly string[];
  setInput(name: string, value: number): void;
  /** Fault: measurement registers stop changing. */
  setFrozen(frozen: boolean): void;
  /** Fault: the identity register reads this instead (chips without one ignore it). */
  setChipId(id: number): void;
}
