import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { openBackends } from '../../../drivers/backends/index.js';
import { open, FirmataOutput } from '../../../drivers/backends/firmata/index.js';
import type { SimI2cDevice } from '../../../drivers/backends/sim/index.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import { i2cRead, i2cWrite, i2cWriteRead } from '../../../drivers/hal/i2c.js';
import { mockFirmataBoard } from './firmata-mock-io.js';

/** write [reg, ...data] stores from reg; a read returns bytes from the pointer on. */
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

const isHal = (kind: string) => (e: unknown) => e instanceof HalError && e.kind === kind;

async function setup() {
  const clock = new VirtualClock();
  const m = mockFirmataBoard();
  const backend = await open({ clock, firmata: { io: m.io } });
  return { clock, m, ...backend };
}

describe('firmata GPIO over johnny-five + mock-firmata', () => {
  it('drives lamp outputs with digitalWrite and reads them back', async () => {
    const { m, gpio } = await setup();
    const pinMode = mock.method(m.io, 'pinMode');
    const dw = mock.method(m.io, 'digitalWrite');
    const red = gpio.output({ pin: 13 });
    assert.deepEqual(pinMode.mock.calls.map((c) => c.arguments), [[13, m.io.MODES.OUTPUT]]);
    assert.deepEqual(dw.mock.calls.at(-1)?.arguments, [13, 0], 'opened off');
    red.write(1);
    assert.deepEqual(dw.mock.calls.at(-1)?.arguments, [13, 1]);
    assert.equal(red.read(), 1);
    red.write(0);
    assert.deepEqual(dw.mock.calls.at(-1)?.arguments, [13, 0]);
    assert.equal(red.read(), 0);
  });

  it('inverts active-low lamps on the wire but not in read()', async () => {
    const { m, gpio } = await setup();
    const order: string[] = [];
    const dw = mock.method(m.io, 'digitalWrite', (p: number, v: number) => order.push(`write ${p} ${v}`));
    mock.method(m.io, 'pinMode', (p: number, mode: number) => order.push(`mode ${p} ${mode}`));
    const green = gpio.output({ pin: 5 }, { activeLow: true });
    assert.deepEqual(order, ['write 5 1', 'mode 5 1', 'write 5 1'], 'latched high (off) before it becomes an output');
    assert.deepEqual(dw.mock.calls.at(-1)?.arguments, [5, 1], 'off = electrically high');
    green.write(1);
    assert.deepEqual(dw.mock.calls.at(-1)?.arguments, [5, 0]);
    assert.equal(green.read(), 1);
  });

  it('confirm() reads the latched level from the board', async () => {
    const { m, gpio } = await setup();
    const out = gpio.output({ pin: 7 }, { activeLow: true }) as FirmataOutput;
    out.write(1);
    assert.equal(await out.confirm(), 1);
    // The microcontroller reset behind our back: the board now reports the pin high (= off).
    m.io.pins[7]!.value = 1;
    (m.io as unknown as { digitalWrite(p: number, v: number): void }).digitalWrite(7, 1);
    assert.equal(await out.confirm(), 0);
    assert.equal(out.read(), 0);
  });

  it('confirm() times out on the clock when the board does not answer', async () => {
    const { clock, m, gpio } = await setup();
    const out = gpio.output({ pin: 8 }) as FirmataOutput;
    (m.io as unknown as Record<string, unknown>).queryPinState = () => {};
    const p = out.confirm(100);
    const check = assert.rejects(p, isHal('timeout'));
    await clock.advanceAsync(100);
    await check;
  });

  it('with confirmOutputsMs, read() follows the board within one period (real readback)', async () => {
    const clock = new VirtualClock();
    const m = mockFirmataBoard();
    const { gpio } = await open({ clock, firmata: { io: m.io } }, { confirmOutputsMs: 100, confirmTimeoutMs: 50 });
    const errors: HalError[] = [];
    gpio.onError((e) => errors.push(e));
    const red = gpio.output({ pin: 5 });
    assert.equal(red.readbackIsReal, true);
    red.write(1);
    await clock.advanceAsync(100);
    assert.equal(red.read(), 1, 'the board confirms what was written');
    // The Arduino resets: every pin back to 0, behind the host's back.
    (m.io as unknown as { digitalWrite(p: number, v: number): void }).digitalWrite(5, 0);
    assert.equal(red.read(), 1, 'not seen until the next confirmation');
    await clock.advanceAsync(100);
    assert.equal(red.read(), 0);
    // The board stops answering pin-state queries: reported, not silently ignored.
    (m.io as unknown as Record<string, unknown>).queryPinState = () => {};
    await clock.advanceAsync(150);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.kind, 'timeout');
    await gpio.close();
    assert.equal(clock.pending, 0, 'close stops the confirmation timer');
  });

  it('a confirmation answered after a newer write does not overwrite it', async () => {
    const { m, gpio } = await setup();
    const out = gpio.output({ pin: 6 }) as FirmataOutput;
    out.write(1);
    const p = out.confirm();
    out.write(0); // written while the query is in flight: the answer (1) is older than this
    assert.equal(await p, 1);
    assert.equal(out.read(), 0);
    assert.equal(m.io.pins[6]!.state, 1);
  });

  it('reports debounced digital input changes with clock times', async () => {
    const { clock, m, gpio } = await setup();
    const loop = gpio.input({ pin: 2 }, { debounceMs: 20 });
    const edges: [number, number][] = [];
    loop.onChange((l, t) => edges.push([l, t]));
    clock.advance(100);
    m.reportDigital(2, 1);
    clock.advance(5);
    m.reportDigital(2, 0); // 5 ms glitch: ignored
    clock.advance(50);
    m.reportDigital(2, 1);
    m.reportDigital(2, 1); // Firmata reports the whole port again: no duplicate edge
    clock.advance(30);
    assert.deepEqual(edges, [[1, 175]]);
    assert.equal(loop.read(), 1);
    m.reportDigital(2, 0);
    clock.advance(20);
    assert.deepEqual(edges, [[1, 175], [0, 205]]);
  });

  it('active-low inputs and close() stop the reports', async () => {
    const { m, gpio } = await setup();
    const loop = gpio.input({ pin: 3 }, { activeLow: true });
    assert.equal(loop.read(), 1, 'electrical 0 at open = logical 1');
    const seen: number[] = [];
    loop.onChange((l) => seen.push(l));
    m.reportDigital(3, 1);
    m.reportDigital(3, 0);
    assert.deepEqual(seen, [0, 1]);
    loop.close();
    m.reportDigital(3, 1);
    assert.deepEqual(seen, [0, 1], 'no reports after close');
    assert.equal(m.io.listenerCount('digital-read-3'), 0);
    gpio.input({ pin: 3 }); // the pin is free again
  });

  it('closing one input keeps reporting on for the other inputs of its 8-pin port', async () => {
    const { m, gpio } = await setup();
    const report = mock.method(m.io, 'reportDigitalPin');
    const a = gpio.input({ pin: 2 });
    const b = gpio.input({ pin: 4 });
    a.close();
    assert.equal(report.mock.calls.filter((c) => c.arguments[1] === 0).length, 0, 'pin 4 still needs port 0 reports');
    b.close();
    assert.deepEqual(report.mock.calls.at(-1)?.arguments, [4, 0]);
  });

  it('refuses unknown pins, double claims and unsupported modes', async () => {
    const { gpio } = await setup();
    assert.throws(() => gpio.output({ pin: 40 }), isHal('notFound'));
    gpio.output({ pin: 4 });
    assert.throws(() => gpio.output({ pin: 4 }), isHal('busy'));
    assert.throws(() => gpio.input({ pin: 4 }), isHal('busy'));
    // A pin whose capability list has no OUTPUT (as Firmata reports for input-only pins).
    const { m, gpio: g2 } = await setup();
    m.io.pins[9]!.supportedModes = [0];
    assert.throws(() => g2.output({ pin: 9 }), isHal('invalid'));
  });
});

describe('firmata I2C', () => {
  it('maps write, read and register reads onto i2cWrite / i2cReadOnce', async () => {
    const { m, i2c } = await setup();
    const dev = new RegFile();
    dev.regs[0xd0] = 0x60;
    m.attachI2c(0x76, dev);
    const bus = await i2c.bus(1);
    assert.equal(await i2c.bus(1), bus, 'one bus per board');
    await i2cWrite(bus, 0x76, Uint8Array.of(0xf4, 0x27));
    assert.equal(dev.regs[0xf4], 0x27);
    const id = new Uint8Array(1);
    await i2cWriteRead(bus, 0x76, Uint8Array.of(0xd0), id);
    assert.equal(id[0], 0x60);
    const two = new Uint8Array(2);
    await i2cRead(bus, 0x76, two);
    assert.deepEqual(m.i2cLog, [
      { kind: 'write', address: 0x76, register: null, bytes: [0xf4, 0x27] },
      { kind: 'read', address: 0x76, register: 0xd0, bytes: [] },
      { kind: 'read', address: 0x76, register: null, bytes: [] },
    ]);
  });

  it('calls i2cConfig once when the bus is first opened', async () => {
    const clock = new VirtualClock();
    const m = mockFirmataBoard();
    const cfg = mock.method(m.io, 'i2cConfig');
    const { i2c } = await open({ clock, firmata: { io: m.io } });
    await i2c.bus(0);
    await i2c.bus(0);
    assert.equal(cfg.mock.callCount(), 1);
  });

  it('an empty reply is a NACK, no reply is a timeout on the clock', async () => {
    const { clock, m, i2c } = await setup();
    const bus = await i2c.bus(0);
    await assert.rejects(i2cWriteRead(bus, 0x48, Uint8Array.of(0), new Uint8Array(2)), (e: unknown) => {
      assert.ok(e instanceof HalError && e.kind === 'noAck');
      assert.match(e.message, /firmata-i2c addr 0x48/);
      return true;
    });
    m.attachI2c(0x48, new RegFile());
    m.silentReads = 1;
    const p = i2cWriteRead(bus, 0x48, Uint8Array.of(0), new Uint8Array(2));
    const check = assert.rejects(p, isHal('timeout'));
    await clock.advanceAsync(249);
    assert.equal(m.io.listenerCount('I2C-reply-72-0'), 1, 'still waiting at 249 ms');
    await clock.advanceAsync(1);
    await check;
    assert.equal(m.io.listenerCount('I2C-reply-72-0'), 0, 'listener removed after the timeout');
    const ok = new Uint8Array(2);
    await i2cWriteRead(bus, 0x48, Uint8Array.of(0), ok);
  });

  it('rejects transaction shapes Firmata cannot express', async () => {
    const { i2c } = await setup();
    const bus = await i2c.bus(0);
    await assert.rejects(
      bus.transaction(0x40, [{ kind: 'write', data: Uint8Array.of(1, 2) }, { kind: 'read', into: new Uint8Array(2) }]),
      (e: unknown) => e instanceof HalError && e.kind === 'invalid' && /write\(2\), read\(2\)/.test(e.message),
    );
    await assert.rejects(bus.transaction(0x80, [{ kind: 'read', into: new Uint8Array(1) }]), isHal('invalid'));
    await assert.rejects(bus.transaction(0x40, [{ kind: 'write', data: new Uint8Array(0) }]), isHal('invalid'));
  });

  it('serialises concurrent transactions so replies cannot cross', async () => {
    const { m, i2c } = await setup();
    const dev = new RegFile();
    dev.regs[0] = 0x11;
    dev.regs[1] = 0x22;
    m.attachI2c(0x40, dev);
    const bus = await i2c.bus(0);
    const a = new Uint8Array(1);
    const b = new Uint8Array(1);
    await Promise.all([i2cWriteRead(bus, 0x40, Uint8Array.of(0), a), i2cWriteRead(bus, 0x40, Uint8Array.of(1), b)]);
    assert.deepEqual([a[0], b[0]], [0x11, 0x22]);
  });
});

describe('firmata open()', () => {
  it('opens once for both GPIO and I2C through openBackends', async () => {
    const clock = new VirtualClock();
    const m = mockFirmataBoard();
    const b = await openBackends({ gpio: 'firmata', i2c: 'firmata' }, { clock, firmata: { io: m.io } });
    assert.equal(b.gpio.name, 'firmata');
    assert.equal(b.i2c.name, 'firmata');
    await b.close();
  });

  it('fails clearly without a port or io, and times out on an io that never gets ready', async () => {
    const clock = new VirtualClock();
    await assert.rejects(open({ clock }), (e: unknown) => e instanceof HalError && /firmata\.port/.test(e.message));
    await assert.rejects(open({ clock, firmata: { io: {} } }), isHal('invalid'));
    const mf = (await import('mock-firmata')).default;
    const io = new mf.Firmata(); // never emits ready
    const p = open({ clock, firmata: { io } }, { readyTimeoutMs: 500 });
    const check = assert.rejects(p, (e: unknown) => e instanceof HalError && e.kind === 'timeout' && /ready/.test(e.message));
    await clock.advanceAsync(500);
    await check;
  });

  it('a serial port that does not exist fails with notFound through johnny-five, without crashing later', async () => {
    const clock = new VirtualClock();
    await assert.rejects(
      open({ clock, firmata: { port: '/dev/ttyWAYSIDE-NOPE' } }),
      (e: unknown) => e instanceof HalError && e.kind === 'notFound' && /firmata \/dev\/ttyWAYSIDE-NOPE: No such file/.test(e.message),
    );
  });
});
