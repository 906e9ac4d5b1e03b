import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { open, type FirmataOutput } from '../../../drivers/backends/firmata/index.js';
import { SystemClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import { i2cWriteRead } from '../../../drivers/hal/i2c.js';

/**
 * The Firmata backend over a real serial path: johnny-five opens a pseudo-terminal with
 * serialport, and fake-firmata.py plays StandardFirmata on the other end. This is what a site
 * with `firmata: {port: /dev/ttyACM0}` runs, short of the USB cable.
 */
const PYTHON = '/usr/bin/python3';
const FAKE = fileURLToPath(new URL('./fake-firmata.py', import.meta.url));

async function startFake(): Promise<{ port: string; py: ChildProcessWithoutNullStreams; cmd(line: string): Promise<string> }> {
  assert.ok(existsSync(PYTHON), `${PYTHON} is needed for the serial Firmata test (Debian python3)`);
  const py = spawn(PYTHON, [FAKE], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: py.stdout });
  const queue: string[] = [];
  let waiter: ((l: string) => void) | null = null;
  lines.on('line', (l) => (waiter ? (waiter(l), (waiter = null)) : queue.push(l)));
  const next = () => new Promise<string>((resolve) => (queue.length ? resolve(queue.shift()!) : (waiter = resolve)));
  const port = await next();
  assert.match(port, /^\/dev\/pts\/\d+$/);
  return {
    port,
    py,
    async cmd(line: string) {
      py.stdin.write(`${line}\n`);
      const answer = await next();
      assert.match(answer, /^ok/);
      return answer.slice(3);
    },
  };
}

/** Waits (really) until `cond` holds: the other end is a separate process. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

describe('firmata over a serial port (pty + fake StandardFirmata)', () => {
  it('handshakes, drives and reads back outputs, reports inputs and does I2C', { timeout: 30_000 }, async () => {
    const fake = await startFake();
    const clock = new SystemClock();
    try {
      const { gpio, i2c } = await open({ clock, firmata: { port: fake.port } }, { readyTimeoutMs: 10_000 });

      const lamp = gpio.output({ pin: 13 }) as FirmataOutput;
      lamp.write(1);
      assert.equal(await lamp.confirm(5000), 1, 'the board latched the lamp on');
      await fake.cmd('reset'); // the Arduino rebooted behind our back
      assert.equal(await lamp.confirm(5000), 0);
      assert.equal(lamp.read(), 0, 'read() now shows the lamp off');

      // An active-low relay lamp never drives low (= on) while it is being set up as "off".
      const relay = gpio.output({ pin: 7 }, { activeLow: true }) as FirmataOutput;
      assert.equal(await relay.confirm(5000), 0, 'logically off');
      assert.equal(await fake.cmd('history 7'), '1', 'driven high only, from the moment it became an output');
      relay.write(1);
      assert.equal(await relay.confirm(5000), 1);
      assert.equal(await fake.cmd('history 7'), '1,0');

      const loop = gpio.input({ pin: 2 });
      const seen: number[] = [];
      loop.onChange((l) => seen.push(l));
      await fake.cmd('in 2 1');
      await until(() => seen.length === 1, 'the input report');
      assert.deepEqual(seen, [1]);

      const bus = await i2c.bus(0);
      const id = new Uint8Array(1);
      await i2cWriteRead(bus, 0x76, Uint8Array.of(0xd0), id);
      assert.equal(id[0], 0x60);
      await assert.rejects(i2cWriteRead(bus, 0x48, Uint8Array.of(0), new Uint8Array(2)), (e: unknown) => e instanceof HalError && e.kind === 'noAck');

      await gpio.close();
      await i2c.close();
    } finally {
      fake.py.kill('SIGTERM');
    }
  });
});
