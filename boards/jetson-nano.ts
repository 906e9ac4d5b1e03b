import { byPin, powerPins } from './header-40.js';
import type { BoardProfile, HeaderPin } from './types.js';

/**
 * Jetson Nano developer kit (P3450): Tegra X1 (T210), 4× Cortex-A57 (0xd07).
 * Header map: physical pin → line on the `tegra-gpio` chip (6000d000.gpio, base 0 on L4T 32.x),
 * from NVIDIA's Jetson.GPIO pin tables (gpio_pin_data.py, JETSON_NANO) and reference/boards.md
 * (pin 7 → 216, pin 12 → 79). Pins 3/5 are I2C bus 1, 27/28 I2C bus 0, 8/10 the UART.
 * GPIO backend: sysfs. This board is frozen on L4T 32.x (kernel 4.9), where sysfs GPIO is
 * complete and what NVIDIA's own library uses, while the distro's libgpiod is the old 1.0.
 */
const LINES: ReadonlyArray<readonly [number, number, string]> = [
  [7, 216, 'GPIO9 (AUD_MCLK)'], [11, 50, 'UART2_RTS'], [12, 79, 'I2S0_SCLK'], [13, 14, 'SPI2_SCK'],
  [15, 194, 'GPIO12 (LCD_TE)'], [16, 232, 'SPI2_CS1'], [18, 15, 'SPI2_CS0'], [19, 16, 'SPI1_MOSI'],
  [21, 17, 'SPI1_MISO'], [22, 13, 'SPI2_MISO'], [23, 18, 'SPI1_SCK'], [24, 19, 'SPI1_CS0'],
  [26, 20, 'SPI1_CS1'], [29, 149, 'GPIO01 (CAM_AF_EN)'], [31, 200, 'GPIO11 (GPIO_PZ0)'],
  [32, 168, 'GPIO07 (LCD_BL_PW)'], [33, 38, 'GPIO13 (GPIO_PE6)'], [35, 76, 'I2S0_FS'],
  [36, 51, 'UART2_CTS'], [37, 12, 'SPI2_MOSI'], [38, 77, 'I2S0_DIN'], [40, 78, 'I2S0_DOUT'],
];

const header: HeaderPin[] = byPin([
  ...powerPins(40),
  { pin: 3, function: 'i2c-sda', i2cBus: 1, name: 'I2C1_SDA' },
  { pin: 5, function: 'i2c-scl', i2cBus: 1, name: 'I2C1_SCL' },
  { pin: 27, function: 'i2c-sda', i2cBus: 0, name: 'I2C0_SDA' },
  { pin: 28, function: 'i2c-scl', i2cBus: 0, name: 'I2C0_SCL' },
  { pin: 8, function: 'other', name: 'UART1_TXD (ttyTHS1)' },
  { pin: 10, function: 'other', name: 'UART1_RXD (ttyTHS1)' },
  ...LINES.map(([pin, line, name]): HeaderPin => ({ pin, function: 'gpio', chip: 'tegra-gpio', line, name })),
]);

export const jetsonNano: BoardProfile = {
  id: 'jetson-nano',
  name: 'NVIDIA Jetson Nano Developer Kit',
  soc: 'Tegra X1 (T210)',
  compatible: ['nvidia,p3450-0000', 'nvidia,p3450-0002', 'nvidia,jetson-nano'],
  socCompatible: ['nvidia,tegra210'],
  header,
  i2cBuses: [
    { bus: 1, sdaPin: 3, sclPin: 5 },
    { bus: 0, sdaPin: 27, sclPin: 28 },
  ],
  cpu: { clusters: [{ name: 'A57', cores: [0, 1, 2, 3], part: '0xd07', big: true }] },
  gpioBackend: 'linux-sysfs',
  i2cBackend: 'i2c-bus',
  // Inference runs mostly on the GPU; its CPU side (pre/post-processing) gets two cores.
  affinity: { control: [3], inference: [1, 2], system: [0] },
  ramMb: 4096,
  headerSize: 40,
  nice: -5,
};
