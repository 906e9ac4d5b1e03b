import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { alignedAfter, SystemClock, VirtualClock } from '../../drivers/hal/clock.js';

/**
 * The production clock's timer bookkeeping (handles carry their Node timer). These tests
 * assert what fires and what does not, never how long it took.
 */
describe('SystemClock timers', () => {
  it('a timeout fires once; a cleared one never fires', async () => {
    const clock = new SystemClock();
    let a = 0;
    let b = 0;
    clock.setTimeout(() => a++, 1);
    const hb = clock.setTimeout(() => b++, 1);
    clock.clearTimer(hb);
    await sleep(30);
    assert.equal(a, 1);
    assert.equal(b, 0);
  });

  it('an interval repeats until cleared, and may clear itself from its own callback', async () => {
    const clock = new SystemClock();
    let n = 0;
    const h = clock.setInterval(() => {
      if (++n === 3) clock.clearTimer(h);
    }, 2);
    await sleep(80);
    assert.equal(n, 3);
  });

  it('clearing twice, clearing undefined, and clearing another clock’s handle are harmless', async () => {
    const clock = new SystemClock();
    let n = 0;
    const h = clock.setInterval(() => n++, 2);
    clock.clearTimer(h);
    clock.clearTimer(h);
    clock.clearTimer(undefined);
    const v = new VirtualClock();
    clock.clearTimer(v.setTimeout(() => {}, 1));
    await sleep(20);
    assert.equal(n, 0);
  });

  it('alignedAfter gives the first multiple strictly after t', () => {
    assert.equal(alignedAfter(0, 10), 10);
    assert.equal(alignedAfter(9.99, 10), 10);
    assert.equal(alignedAfter(10, 10), 20);
    assert.equal(alignedAfter(1234.5, 10), 1240);
  });

  it('handles are distinct per timer', () => {
    const clock = new SystemClock();
    const a = clock.setTimeout(() => {}, 0);
    const b = clock.setTimeout(() => {}, 0);
    assert.notEqual(a.id, b.id);
    clock.clearTimer(a);
    clock.clearTimer(b);
  });
});
