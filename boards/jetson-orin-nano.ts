import { byPin, powerPins } from './header-40.js';
import type { BoardProfile, HeaderPin } from './types.js';

/**
 * Jetson Orin Nano / Orin NX on the P3768 (or P3509) carrier: Orin (T234), 6× Cortex-A78AE
 * (0xd42) in two clusters (cores 0-3 and 4-5 on the 6-core Orin Nano).
 * Header map: physical pin → line on the main `tegra234-gpio` chip (2200000.gpio, base 348),
 * from NVIDIA's Jetson.GPIO tables (JETSON_ORIN_NX/NANO) and reference/boards.md
 * (pin 7 = PAC.06 → 492, pin 12 = PH.07 → 398). JetPack 5 names sysfs dirs after the port
 * (`PAC.06`), JetPack 6 has no sysfs GPIO at all: the character device is the backend.
 * Pins 3/5 are `/dev/i2c-7`, 27/28 `/dev/i2c-1`; 8/10 the UART (ttyTHS0).
 */
const LINES: ReadonlyArray<readonly [number, number, string]> = [
  [7, 144, 'PAC.06'], [11, 112, 'PR.04'], [12, 50, 'PH.07'], [13, 122, 'PY.00'], [15, 85, 'PN.01'],
  [16, 126, 'PY.04'], [18, 125, 'PY.03'], [19, 135, 'PZ.05'], [21, 134, 'PZ.04'], [22, 123, 'PY.01'],
  [23, 133, 'PZ.03'], [24, 136, 'PZ.06'], [26, 137, 'PZ.07'], [29, 105, 'PQ.05'], [31, 106, 'PQ.06'],
  [32, 41, 'PG.06'], [33, 43, 'PH.00'], [35, 53, 'PI.02'], [36, 113, 'PR.05'], [37, 124, 'PY.02'],
  [38, 52, 'PI.01'], [40, 51, 'PI.00'],
];

const header: HeaderPin[] = byPin([
  ...powerPins(40),
  { pin: 3, function: 'i2c-sda', i2cBus: 7, name: 'I2C1_SDA (PDD.02)' },
  { pin: 5, function: 'i2c-scl', i2cBus: 7, name: 'I2C1_SCL (PDD.01)' },
  { pin: 27, function: 'i2c-sda', i2cBus: 1, name: 'I2C0_SDA' },
  { pin: 28, function: 'i2c-scl', i2cBus: 1, name: 'I2C0_SCL' },
  { pin: 8, function: 'other', name: 'UART1_TX (PR.02)' },
  { pin: 10, function: 'other', name: 'UART1_RX (PR.03)' },
  ...LINES.map(([pin, line, name]): HeaderPin => ({ pin, function: 'gpio', chip: 'tegra234-gpio', line, name })),
]);

export const jetsonOrinNano: BoardProfile = {
  id: 'jetson-orin-nano',
  name: 'NVIDIA Jetson Orin Nano / NX Developer Kit',
  soc: 'Orin (T234)',
  // Patterns: `*` matches any module SKU (p3767-0000/0001 Orin NX, 0003/0004/0005 Orin Nano).
  compatible: ['nvidia,p3768-0000+p3767-*', 'nvidia,p3509-0000+p3767-*', 'nvidia,p3767-*'],
  socCompatible: ['nvidia,tegra234'],
  header,
  i2cBuses: [
    { bus: 7, sdaPin: 3, sclPin: 5 },
    { bus: 1, sdaPin: 27, sclPin: 28 },
  ],
  cpu: {
    clusters: [
      { name: 'A78AE-0', cores: [0, 1, 2, 3], part: '0xd42', big: true },
      { name: 'A78AE-1', cores: [4, 5], part: '0xd42', big: true },
    ],
  },
  gpioBackend: 'linux-chardev',
  i2cBackend: 'i2c-bus',
  // Control alone on the small second cluster; inference's CPU work shares cluster 0 with the system.
  affinity: { control: [5], inference: [1, 2, 3], system: [0, 4] },
  ramMb: 8192,
  headerSize: 40,
  nice: -5,
};
