import type { HeaderPin } from './types.js';

/**
 * The power and ground pins of the Raspberry-Pi-style 40-pin header. Every 40-pin board we
 * support (Pi 4/5, Jetson Nano/Orin devkits, Rock 5B) keeps this layout so HATs fit; the
 * 26-pin header of the Orange Pi 5 keeps the first 26 of them.
 */
const POWER: ReadonlyArray<readonly [number, HeaderPin['function']]> = [
  [1, 'power-3v3'],
  [2, 'power-5v'],
  [4, 'power-5v'],
  [6, 'ground'],
  [9, 'ground'],
  [14, 'ground'],
  [17, 'power-3v3'],
  [20, 'ground'],
  [25, 'ground'],
  [30, 'ground'],
  [34, 'ground'],
  [39, 'ground'],
];

export function powerPins(headerSize: 26 | 40): HeaderPin[] {
  return POWER.filter(([pin]) => pin <= headerSize).map(([pin, fn]) => ({
    pin,
    function: fn,
    name: fn === 'ground' ? 'GND' : fn === 'power-3v3' ? '3V3' : '5V',
  }));
}

/** Header pins sorted by physical number (profiles list them grouped by kind). */
export function byPin(pins: HeaderPin[]): HeaderPin[] {
  return [...pins].sort((a, b) => a.pin - b.pin);
}
