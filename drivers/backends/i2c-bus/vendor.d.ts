// Minimal types for i2c-bus 5 (it ships none): the promisified calls wayside uses.
declare module 'i2c-bus' {
  export interface PromisifiedBus {
    i2cRead(address: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
    i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }>;
    close(): Promise<void>;
  }
  export function openPromisified(busNumber: number, options?: { forceAccess?: boolean }): Promise<PromisifiedBus>;
  const i2c: { openPromisified: typeof openPromisified };
  export default i2c;
}
