import { HalError, type HalErrorKind } from '../hal/errors.js';
import { formatAddress, type I2cBus, type I2cOp } from '../hal/i2c.js';

/**
 * One expected transaction. Bytes are written literally in the test (as embedded-hal-mock's
 * `I2cTrans::write_read(0x76, vec![0xD0], vec![0x60])`). With `error`, the transaction fails
 * with a HalError of that kind after matching (`read` may then be omitted).
 */
export type MockI2cExpectation =
  | { op: 'write'; addr: number; write: readonly number[]; error?: HalErrorKind }
  | { op: 'read'; addr: number; read?: readonly number[]; error?: HalErrorKind }
  | { op: 'writeRead'; addr: number; write: readonly number[]; read?: readonly number[]; error?: HalErrorKind }
  /** Any other shape of operations, e.g. two writes under one start. */
  | { op: 'transaction'; addr: number; ops: readonly ({ write: readonly number[] } | { read: readonly number[] })[]; error?: HalErrorKind };

/** Thrown (as the transaction's rejection, and again by `done()`) when the driver did something unexpected. */
export class MockI2cMismatch extends Error {
  override readonly name = 'MockI2cMismatch';
}

/**
 * A scripted I2C bus after embedded-hal-mock: it expects exactly the listed transactions in
 * order, answers reads with the scripted bytes, and `done()` checks every one was used. A
 * mismatch rejects the transaction and is remembered, so a driver that swallows errors
 * (close(), a retry loop) still fails the test at `done()`.
 */
export class MockI2c implements I2cBus {
  readonly name: string;
  private readonly expected: MockI2cExpectation[];
  private next = 0;
  private mismatch: MockI2cMismatch | undefined;
  closed = false;

  constructor(expectations: readonly MockI2cExpectation[], name = 'mock-i2c') {
    this.expected = [...expectations];
    this.name = name;
  }

  /** Appends expectations (for tests that script in phases). */
  expect(...more: MockI2cExpectation[]): void {
    this.expected.push(...more);
  }

  /** Transactions consumed so far. */
  get used(): number {
    return this.next;
  }

  async transaction(address: number, ops: readonly I2cOp[]): Promise<void> {
    const got = describeGot(address, ops);
    await Promise.resolve(); // like a real bus, never complete synchronously
    const i = this.next;
    const e = this.expected[i];
    if (!e) throw this.fail(`unexpected transaction #${i + 1}: got ${got}; no more were expected`);
    const shape = toOps(e);
    const want = describeExpected(e);
    const same =
      e.addr === address &&
      shape.length === ops.length &&
      shape.every((s, k) => {
        const op = ops[k]!;
        if (s.kind !== op.kind) return false;
        if (op.kind === 'write') return sameBytes(s.bytes, op.data);
        return s.bytes === undefined || s.bytes.length === op.into.length;
      });
    if (!same) throw this.fail(`transaction #${i + 1}: expected ${want}, got ${got}`);
    this.next++;
    if (e.error) throw new HalError(e.error, `${this.name} addr ${formatAddress(address)}: scripted ${e.error}`);
    shape.forEach((s, k) => {
      const op = ops[k]!;
      if (op.kind === 'read' && s.bytes) op.into.set(s.bytes);
    });
  }

  /** Asserts that every expectation was used and nothing unexpected happened. */
  done(): void {
    if (this.mismatch) throw this.mismatch;
    if (this.next < this.expected.length) {
      const rest = this.expected.slice(this.next).map(describeExpected);
      throw new MockI2cMismatch(`${this.name}: ${rest.length} expected transaction(s) not used, first: ${rest.slice(0, 3).join('; ')}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private fail(msg: string): MockI2cMismatch {
    const err = new MockI2cMismatch(`${this.name}: ${msg}`);
    this.mismatch ??= err;
    return err;
  }
}

function toOps(e: MockI2cExpectation): { kind: 'write' | 'read'; bytes: readonly number[] | undefined }[] {
  switch (e.op) {
    case 'write':
      return [{ kind: 'write', bytes: e.write }];
    case 'read':
      return [{ kind: 'read', bytes: e.read }];
    case 'writeRead':
      return [{ kind: 'write', bytes: e.write }, { kind: 'read', bytes: e.read }];
    case 'transaction':
      return e.ops.map((o) => ('write' in o ? { kind: 'write' as const, bytes: o.write } : { kind: 'read' as const, bytes: o.read }));
  }
}

function sameBytes(a: readonly number[] | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i]! & 0xff) !== b[i]) return false;
  return true;
}

function hexList(b: ArrayLike<number>): string {
  return `[${Array.from(b, (x) => `0x${(x & 0xff).toString(16).padStart(2, '0')}`).join(', ')}]`;
}

function describeExpected(e: MockI2cExpectation): string {
  const ops = toOps(e)
    .map((o) => (o.kind === 'write' ? `write ${hexList(o.bytes ?? [])}` : `read ${o.bytes ? `${o.bytes.length} byte(s)` : 'any length'}`))
    .join(' + ');
  return `${e.op} addr ${formatAddress(e.addr)} (${ops})${e.error ? ` failing ${e.error}` : ''}`;
}

function describeGot(address: number, ops: readonly I2cOp[]): string {
  const shape =
    ops.length === 1 ? ops[0]!.kind : ops.length === 2 && ops[0]!.kind === 'write' && ops[1]!.kind === 'read' ? 'writeRead' : 'transaction';
  const detail = ops.map((o) => (o.kind === 'write' ? `write ${hexList(o.data)}` : `read ${o.into.length} byte(s)`)).join(' + ');
  return `${shape} addr ${formatAddress(address)} (${detail})`;
}
