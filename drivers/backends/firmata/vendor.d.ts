// Minimal types for the untyped Firmata packages, covering what wayside and its tests use.
// Ambient (no top-level import/export), so any file may `import five from 'johnny-five'`.

declare module 'johnny-five' {
  import { EventEmitter } from 'node:events';
  export class Board extends EventEmitter {
    constructor(options?: {
      io?: unknown;
      port?: string;
      repl?: boolean;
      debug?: boolean;
      sigint?: boolean;
      timeout?: number;
    });
    io: unknown;
    isReady: boolean;
  }
  const five: { Board: typeof Board };
  export default five;
}

declare module 'mock-firmata' {
  import { EventEmitter } from 'node:events';
  export class Firmata extends EventEmitter {
    constructor(options?: { pins?: unknown[] });
    readonly MODES: Record<string, number>;
    readonly pins: { mode?: number; value?: number; state?: number; supportedModes: number[] }[];
    readonly isReady: boolean;
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: number): void;
    digitalRead(pin: number, callback: (value: number) => void): void;
    reportDigitalPin(pin: number, value: 0 | 1): void;
    queryPinState(pin: number, callback: () => void): void;
    i2cConfig(options?: unknown): unknown;
    i2cWrite(address: number, bytes: number[]): unknown;
    i2cReadOnce(...args: unknown[]): unknown;
  }
  const mock: { Firmata: typeof Firmata; Pins: Record<string, unknown>; SerialPort: unknown };
  export default mock;
}
