import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HalError } from '../../drivers/hal/errors.js';

describe('HalError.from maps errno to a kind', () => {
  const cases: [unknown, string, boolean][] = [
    [Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO', errno: -121 }), 'noAck', true],
    [Object.assign(new Error('No such device or address'), { code: 'ENXIO' }), 'noAck', true],
    [Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }), 'timeout', true],
    [Object.assign(new Error('busy'), { code: 'EBUSY' }), 'busy', true],
    [Object.assign(new Error('denied'), { code: 'EACCES' }), 'access', false],
    [Object.assign(new Error('nope'), { code: 'ENOENT' }), 'notFound', false],
    [Object.assign(new Error('Invalid argument'), { code: 'EINVAL' }), 'invalid', false],
    [{ errno: 121, message: 'i2c-bus style errno only' }, 'noAck', true],
    [{ errno: -110 }, 'timeout', true],
    ['a string', 'other', false],
  ];
  for (const [err, kind, transient] of cases) {
    it(`${JSON.stringify((err as { code?: string }).code ?? err)} → ${kind}`, () => {
      const e = HalError.from(err, 'i2c-1 addr 0x76');
      assert.equal(e.kind, kind);
      assert.equal(e.transient, transient);
      assert.match(e.message, /^i2c-1 addr 0x76: /);
    });
  }
  it('passes a HalError through unchanged', () => {
    const e = new HalError('busy', 'x');
    assert.equal(HalError.from(e, 'ctx'), e);
  });
});
