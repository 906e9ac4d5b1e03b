import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PromisifiedBus } from 'i2c-bus';
import { open, type I2cBusModule } from '../../../drivers/backends/i2c-bus/index.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import { i2cRead, i2cWrite, i2cWriteRead } from '../../../drivers/hal/i2c.js';

/** An error shaped like the ones i2c-bus's native code raises (Nan::ErrnoException). */
function errno(code: string, n: number, syscall = 'i2cRead'): Error {
  return Object.assign(new Error(`${code}, ${syscall}`), { code, errno: n, syscall });
}

/** A fake i2c-bus: per-address register files, scripted failures, a log of calls. */
class FakeBus implements PromisifiedBus {
  regs = new Map<number, { ptr: number; mem: Uint8Array }>();
  failNext: Error[] = [];
  log: string[] = [];
  closed = false;
  async i2cWrite(address: number, length: number, buffer: Buffer) {
    assert.ok(Buffer.isBuffer(buffer), 'i2c-bus insists on a Buffer');
    this.log.push(`w ${address.toString(16)} ${[...buffer.subarray(0, length)].join(',')}`);
    const f = this.failNext.shift();
    if (f) throw f;
    const dev = this.regs.get(address);
    if (!dev) throw errno('EREMOTEIO', 121, 'i2cWrite');
    dev.ptr = buffer[0]!;
    for (let i = 1; i < length; i++) dev.mem[dev.ptr + i - 1] = buffer[i]!;
    return { bytesWritten: length, buffer };
  }
  async i2cRead(address: number, length: number, buffer: Buffer) {
    this.log.push(`r ${address.toString(16)} ${length}`);
    const f = this.failNext.shift();
    if (f) throw f;
    const dev = this.regs.get(address);
    if (!dev) throw errno('ENXIO', 6);
    for (let i = 0; i < length; i++) buffer[i] = dev.mem[dev.ptr + i]!;
    return { bytesRead: length, buffer };
  }
  async close() {
    this.closed = true;
  }
}

const root = mkdtempSync(join(tmpdir(), 'wayside-i2c-'));
mkdirSync(join(root, 'dev'));
writeFileSync(join(root, 'dev', 'i2c-1'), '');
after(() => rmSync(root, { recursive: true, force: true }));

async function setup() {
  const fake = new FakeBus();
  const opened: number[] = [];
  const lib: I2cBusModule = {
    openPromisified: async (n: number) => {
      opened.push(n);
      return fake;
    },
  } as I2cBusModule;
  const { i2c } = await open({ clock: new VirtualClock(), root }, { loadI2cBus: async () => lib });
  return { fake, opened, i2c };
}

const kind = (k: string, re?: RegExp) => (e: unknown) =>
  e instanceof HalError && e.kind === k && (!re || re.test(e.message));

describe('i2c-bus backend (fake i2c-bus module)', () => {
  it('maps a register read to i2cWrite then i2cRead into the caller\'s buffer', async () => {
    const { fake, i2c, opened } = await setup();
    const mem = new Uint8Array(256);
    mem[0xd0] = 0x60;
    fake.regs.set(0x76, { ptr: 0, mem });
    const bus = await i2c.bus(1);
    assert.equal(bus.name, 'i2c-1');
    assert.equal(await i2c.bus(1), bus);
    assert.deepEqual(opened, [1]);
    const id = new Uint8Array(1);
    await i2cWriteRead(bus, 0x76, Uint8Array.of(0xd0), id);
    assert.equal(id[0], 0x60);
    await i2cWrite(bus, 0x76, Uint8Array.of(0xf4, 0x27));
    assert.equal(mem[0xf4], 0x27);
    mem[0xd1] = 0x61;
    const big = new Uint8Array(8);
    const b = big.subarray(2, 4); // a view into a larger buffer is filled in place
    await i2cWriteRead(bus, 0x76, Uint8Array.of(0xd0), b);
    assert.deepEqual([...big], [0, 0, 0x60, 0x61, 0, 0, 0, 0]);
    await i2cWriteRead(bus, 0x76, Uint8Array.of(0xf4), b); // the same array again: same view, new bytes
    assert.deepEqual([...big], [0, 0, 0x27, 0, 0, 0, 0, 0]);
    assert.deepEqual(fake.log, ['w 76 208', 'r 76 1', 'w 76 244,39', 'w 76 208', 'r 76 2', 'w 76 244', 'r 76 2']);
  });

  it('maps errno to HalError kinds with bus and address in the message', async () => {
    const { fake, i2c } = await setup();
    const bus = await i2c.bus(1);
    const into = new Uint8Array(2);
    await assert.rejects(i2cRead(bus, 0x48, into), kind('noAck', /^i2c-1 addr 0x48 read 2: /));
    fake.regs.set(0x48, { ptr: 0, mem: new Uint8Array(256) });
    fake.failNext.push(errno('ETIMEDOUT', 110));
    await assert.rejects(i2cRead(bus, 0x48, into), kind('timeout', /i2c-1 addr 0x48/));
    fake.failNext.push(errno('EBUSY', 16));
    await assert.rejects(i2cWrite(bus, 0x48, Uint8Array.of(1, 2)), kind('busy', /write \[01 02\]/));
    fake.failNext.push(errno('EACCES', 13));
    await assert.rejects(i2cRead(bus, 0x48, into), kind('access', /group "i2c"/));
    fake.failNext.push(Object.assign(new Error('Remote I/O'), { errno: 121 })); // errno only
    await assert.rejects(i2cRead(bus, 0x48, into), kind('noAck'));
    await i2cRead(bus, 0x48, into); // and the bus still works afterwards
  });

  it('a failed pointer write stops the transaction before the read', async () => {
    const { fake, i2c } = await setup();
    const bus = await i2c.bus(1);
    fake.regs.set(0x40, { ptr: 0, mem: new Uint8Array(256) });
    fake.failNext.push(errno('EREMOTEIO', 121, 'i2cWrite'));
    await assert.rejects(i2cWriteRead(bus, 0x40, Uint8Array.of(0), new Uint8Array(2)), kind('noAck'));
    assert.deepEqual(fake.log, ['w 40 0']);
  });

  it('a missing /dev/i2c-N is notFound with a hint, and is not cached', async () => {
    const { i2c, opened } = await setup();
    await assert.rejects(i2c.bus(7), kind('notFound', /i2c-7.*enabled/));
    await assert.rejects(i2c.bus(7), kind('notFound'));
    assert.deepEqual(opened, []);
    await assert.rejects(i2c.bus(-1), kind('invalid'));
  });

  it('rejects addresses outside 0x03-0x77 without touching the bus', async () => {
    const { fake, i2c } = await setup();
    const bus = await i2c.bus(1);
    await assert.rejects(i2cRead(bus, 0x78, new Uint8Array(1)), kind('invalid'));
    assert.deepEqual(fake.log, []);
  });

  it('serialises transactions: a pointer write and its read are never split', async () => {
    const { fake, i2c } = await setup();
    fake.regs.set(0x68, { ptr: 0, mem: Uint8Array.from({ length: 256 }, (_, i) => i) });
    const bus = await i2c.bus(1);
    const a = new Uint8Array(1);
    const b = new Uint8Array(1);
    await Promise.all([i2cWriteRead(bus, 0x68, Uint8Array.of(0x3b), a), i2cWriteRead(bus, 0x68, Uint8Array.of(0x75), b)]);
    assert.deepEqual([a[0], b[0]], [0x3b, 0x75]);
    assert.deepEqual(fake.log, ['w 68 59', 'r 68 1', 'w 68 117', 'r 68 1']);
  });

  it('close() closes each opened bus; use after close is refused', async () => {
    const { fake, i2c } = await setup();
    const bus = await i2c.bus(1);
    await i2c.close();
    assert.equal(fake.closed, true);
    await assert.rejects(i2cRead(bus, 0x40, new Uint8Array(1)), kind('invalid'));
  });

  it('a module that fails to load is a clear error', async () => {
    await assert.rejects(
      open({ clock: new VirtualClock() }, { loadI2cBus: async () => { throw new Error('Cannot find module i2c.node'); } }),
      (e: unknown) => e instanceof HalError && /i2c-bus: cannot load/.test(e.message),
    );
  });

  it('loads the real native i2c-bus and reports a bus this machine lacks as notFound', async () => {
    const { i2c } = await open({ clock: new VirtualClock(), root });
    await assert.rejects(i2c.bus(42), kind('notFound', /\/dev\/i2c-42/));
  });
});
