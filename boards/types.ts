/**
 * Board profiles are data: what a header pin is wired to, which I2C buses come out on the
 * header, and how the CPU cores are laid out. Detection (detect.ts) matches a probe of the
 * running system against these fingerprints. Nothing here imports the rest of wayside.
 */
export type PinFunction = 'gpio' | 'i2c-sda' | 'i2c-scl' | 'power-3v3' | 'power-5v' | 'ground' | 'other';

export interface HeaderPin {
  /** Physical pin number on the header. */
  readonly pin: number;
  readonly function: PinFunction;
  /** gpiochip label and line offset, for pins that are GPIO lines (also for i2c pins, which are lines too). */
  readonly chip?: string;
  readonly line?: number;
  /** For i2c-sda / i2c-scl: the Linux bus number (`/dev/i2c-N`). */
  readonly i2cBus?: number;
  /** Vendor pin name (`GPIO17`, `GPIO3_B5`, `PAC.06`), for humans. */
  readonly name?: string;
}

export interface I2cBusProfile {
  /** Linux bus number: `/dev/i2c-N`. */
  readonly bus: number;
  readonly sdaPin: number;
  readonly sclPin: number;
  readonly note?: string;
}

export interface CpuCluster {
  readonly name: string; // 'A76-0', 'A55'
  readonly cores: readonly number[];
  /** `CPU part` from /proc/cpuinfo, e.g. 0xd0b for Cortex-A76. */
  readonly part: string;
  readonly big: boolean;
}

export interface BoardProfile {
  /** Stable id used in site files and on the CLI: `raspberry-pi-4`. */
  readonly id: string;
  readonly name: string;
  readonly soc: string;
  /** Device-tree compatible strings that identify this board; the first ones are most specific. */
  readonly compatible: readonly string[];
  /** Compatible strings that identify only the SoC (a weaker match). */
  readonly socCompatible: readonly string[];
  readonly header: readonly HeaderPin[];
  readonly i2cBuses: readonly I2cBusProfile[];
  readonly cpu: { readonly clusters: readonly CpuCluster[] };
  /** GPIO backend to use when the site file does not say. */
  readonly gpioBackend: 'linux-sysfs' | 'linux-chardev' | 'sim';
  readonly i2cBackend: 'i2c-bus' | 'sim';
  /** Cores for each kind of thread (see the runtime's affinity). */
  readonly affinity: { readonly control: readonly number[]; readonly inference: readonly number[]; readonly system: readonly number[] };
  /** Typical RAM in MiB (sizes ZRAM); the probe's MemTotal wins when present. */
  readonly ramMb: number;
  /** Physical header size (26 on the Orange Pi 5, 40 on the others); absent for the simulator. */
  readonly headerSize?: number;
  /** systemd `Nice=` for wayside.service (flash.sh); the control thread's own priority is the runtime's. */
  readonly nice?: number;
}
