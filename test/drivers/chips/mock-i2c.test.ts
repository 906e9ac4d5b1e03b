import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HalError } from '../../../drivers/hal/errors.js';
import { i2cRead, i2cWrite, i2cWriteRead } from '../../../drivers/hal/i2c.js';
import { MockI2c, MockI2cMismatch } from '../../../drivers/mock/mock-i2c.js';

describe('MockI2c (scripted bus)', () => {
  it('answers scripted reads and passes done() when every expectation was used in order', async () => {
    const bus = new MockI2c([
      { op: 'writeRead', addr: 0x76, write: [0xd0], read: [0x60] },
      { op: 'write', addr: 0x76, write: [0xe0, 0xb6] },
      { op: 'read', addr: 0x48, read: [0x12, 0x34] },
      { op: 'transaction', addr: 0x40, ops: [{ write: [0x05] }, { write: [0x10, 0x00] }] },
    ]);
    const id = new Uint8Array(1);
    await i2cWriteRead(bus, 0x76, Uint8Array.of(0xd0), id);
    assert.equal(id[0], 0x60);
    await i2cWrite(bus, 0x76, Uint8Array.of(0xe0, 0xb6));
    const two = new Uint8Array(2);
    await i2cRead(bus, 0x48, two);
    assert.deepEqual([...two], [0x12, 0x34]);
    await bus.transaction(0x40, [{ kind: 'write', data: Uint8Array.of(5) }, { kind: 'write', data: Uint8Array.of(0x10, 0) }]);
    bus.done();
  });

  it('an unexpected transaction names what was expected and what came', async () => {
    const bus = new MockI2c([{ op: 'writeRead', addr: 0x76, write: [0xd0], read: [0x60] }]);
    await assert.rejects(i2cWriteRead(bus, 0x77, Uint8Array.of(0xd0), new Uint8Array(1)), (e: unknown) => {
      assert.ok(e instanceof MockI2cMismatch);
      assert.equal(
        e.message,
        'mock-i2c: transaction #1: expected writeRead addr 0x76 (write [0xd0] + read 1 byte(s)), got writeRead addr 0x77 (write [0xd0] + read 1 byte(s))',
      );
      return true;
    });
    // Remembered even if the driver swallowed it.
    assert.throws(() => bus.done(), MockI2cMismatch);
  });

  it('a transaction past the script is a mismatch; done() lists unused expectations', async () => {
    const extra = new MockI2c([]);
    await assert.rejects(i2cWrite(extra, 0x10, Uint8Array.of(1)), /unexpected transaction #1: got write addr 0x10 \(write \[0x01\]\); no more were expected/);
    const unused = new MockI2c([{ op: 'write', addr: 0x68, write: [0x6b, 0] }]);
    assert.throws(() => unused.done(), /1 expected transaction\(s\) not used, first: write addr 0x68 \(write \[0x6b, 0x00\]\)/);
  });

  it('scripted errors reject with a HalError of that kind and still count as used', async () => {
    const bus = new MockI2c([{ op: 'writeRead', addr: 0x76, write: [0xf7], error: 'noAck' }]);
    await assert.rejects(i2cWriteRead(bus, 0x76, Uint8Array.of(0xf7), new Uint8Array(8)), (e: unknown) => e instanceof HalError && e.kind === 'noAck');
    bus.done();
  });

  it('checks read lengths', async () => {
    const bus = new MockI2c([{ op: 'read', addr: 0x48, read: [1, 2] }]);
    await assert.rejects(i2cRead(bus, 0x48, new Uint8Array(3)), /expected read addr 0x48 \(read 2 byte\(s\)\), got read addr 0x48 \(read 3 byte\(s\)\)/);
  });
});
