import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openBackends } from '../../drivers/backends/index.js';
import { SimGpio, SimI2c, type SimI2cDevice } from '../../drivers/backends/sim/index.js';
import { HalError } from '../../drivers/hal/errors.js';
import { i2cWriteRead } from '../../drivers/hal/i2c.js';
import { VirtualClock } from '../../drivers/hal/clock.js';

/** A trivial register file: write [reg, ...data] stores, write [reg] then read returns from reg. */
class RegFile implements SimI2cDevice {
  ptr = 0;
  regs = new Uint8Array(256);
  write(d: Uint8Array): void {
    this.ptr = d[0]!;
    for (let i = 1; i < d.length; i++) this.regs[(this.ptr + i - 1) & 0xff] = d[i]!;
  }
  read(into: Uint8Array): void {
    for (let i = 0; i < into.length; i++) into[i] = this.regs[(this.ptr + i) & 0xff]!;
  }
}

describe('sim GPIO', () => {
  it('records outputs with timestamps, reads them back, and honours active-low', () => {
    const clock = new VirtualClock();
    const gpio = new SimGpio(clock);
    const seen: [number, number, number][] = [];
    gpio.onOutput((pin, level, t) => seen.push([pin, level, t]));
    const red = gpio.output({ pin: 4 }, { activeLow: true });
    assert.equal(gpio.physical(4), 1, 'active-low off is electrically high');
    clock.advance(100);
    red.write(1);
    assert.equal(red.read(), 1);
    assert.equal(gpio.physical(4), 0);
    assert.deepEqual(seen, [[4, 0, 100]]);
  });

  it('a forced output reads back the fault, not what was written', () => {
    const gpio = new SimGpio(new VirtualClock());
    const green = gpio.output({ pin: 6 });
    gpio.forceOutput(6, 1);
    green.write(0);
    assert.equal(green.read(), 1);
    assert.equal(gpio.lastWrite(6), 0);
    gpio.forceOutput(6, null);
    assert.equal(green.read(), 0);
  });

  it('refuses to claim a pin twice, like EBUSY', () => {
    const gpio = new SimGpio(new VirtualClock());
    gpio.output({ pin: 3 });
    assert.throws(() => gpio.output({ pin: 3 }), (e: unknown) => e instanceof HalError && e.kind === 'busy');
  });

  it('debounces inputs on the virtual clock and ignores short glitches', () => {
    const clock = new VirtualClock();
    const gpio = new SimGpio(clock);
    const loop = gpio.input({ pin: 26 }, { debounceMs: 20 });
    const edges: [number, number][] = [];
    loop.onChange((l, t) => edges.push([l, t]));
    gpio.setInput(26, 1);
    clock.advance(10);
    gpio.setInput(26, 0); // 10 ms glitch
    clock.advance(50);
    assert.deepEqual(edges, []);
    gpio.setInput(26, 1);
    clock.advance(25);
    assert.deepEqual(edges, [[1, 80]]);
    assert.equal(loop.read(), 1);
  });
});

describe('sim I2C', () => {
  it('talks to a plugged-in device and NACKs an empty address', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2c(clock).simBus(1);
    const dev = new RegFile();
    dev.regs[0xd0] = 0x60;
    bus.attach(0x76, dev);
    const out = new Uint8Array(1);
    await i2cWriteRead(bus, 0x76, Uint8Array.of(0xd0), out);
    assert.equal(out[0], 0x60);
    await assert.rejects(i2cWriteRead(bus, 0x77, Uint8Array.of(0xd0), out), (e: unknown) => e instanceof HalError && e.kind === 'noAck');
  });

  it('injects a NACK burst, then recovers', async () => {
    const bus = new SimI2c(new VirtualClock()).simBus(1);
    bus.attach(0x40, new RegFile());
    bus.inject({ kind: 'nack', address: 0x40, count: 2 });
    const out = new Uint8Array(2);
    for (let i = 0; i < 2; i++) await assert.rejects(i2cWriteRead(bus, 0x40, Uint8Array.of(0), out));
    await i2cWriteRead(bus, 0x40, Uint8Array.of(0), out);
    assert.equal(bus.errors, 2);
  });

  it('a stuck bus times out on the bus clock and only that bus', async () => {
    const clock = new VirtualClock();
    const i2c = new SimI2c(clock);
    const stuck = i2c.simBus(1);
    const other = i2c.simBus(2);
    stuck.attach(0x40, new RegFile());
    other.attach(0x40, new RegFile());
    stuck.inject({ kind: 'stuck' });
    const result: { failed?: HalError } = {};
    const p = i2cWriteRead(stuck, 0x40, Uint8Array.of(0), new Uint8Array(1)).catch((e: HalError) => (result.failed = e));
    await i2cWriteRead(other, 0x40, Uint8Array.of(0), new Uint8Array(1));
    assert.equal(result.failed === undefined, true, 'not failed before the timeout');
    await clock.advanceAsync(30);
    await p;
    assert.equal(result.failed?.kind, 'timeout');
  });
});

describe('backend factory', () => {
  it('opens sim for both GPIO and I2C as one board', async () => {
    const b = await openBackends({ gpio: 'sim', i2c: 'sim' }, { clock: new VirtualClock() });
    assert.equal(b.gpio.name, 'sim');
    assert.ok(b.extras['board']);
    await b.close();
  });

  it('names the valid backends when given an unknown one', async () => {
    await assert.rejects(openBackends({ gpio: 'gpiozero', i2c: 'sim' }, { clock: new VirtualClock() }), /unknown GPIO backend "gpiozero"; valid: sim, linux-sysfs, linux-chardev, firmata/);
  });
});
