import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedQueue, SampleQueue } from '../../firmware/runtime/bounded-queue.js';
import { ObjectPool } from '../../firmware/runtime/pool.js';
import { RingSet, SampleRing } from '../../firmware/runtime/ring-buffer.js';

describe('SampleRing', () => {
  it('keeps the newest samples, oldest first, and counts the ones it overwrote', () => {
    const r = new SampleRing(4);
    for (let i = 1; i <= 6; i++) r.push(i * 10, i);
    assert.equal(r.length, 4);
    assert.equal(r.dropped, 2);
    assert.equal(r.total, 6);
    assert.deepEqual([0, 1, 2, 3].map((i) => r.valueAt(i)), [3, 4, 5, 6]);
    assert.equal(r.latest(), 6);
    assert.equal(r.latestTime(), 60);
    const t = new Float64Array(3);
    const v = new Float64Array(3);
    assert.equal(r.copyLast(3, t, v), 3);
    assert.deepEqual([...v], [4, 5, 6]);
    assert.deepEqual([...t], [40, 50, 60]);
  });

  it('is readable from another view of the same shared memory (what the jobs thread does)', () => {
    const r = new SampleRing(8, { shared: true });
    assert.ok(r.buffer instanceof SharedArrayBuffer);
    const reader = SampleRing.attach(r.shared);
    r.push(1, 42);
    r.push(2, 43);
    assert.equal(reader.length, 2);
    assert.equal(reader.latest(), 43);
  });

  it('empty ring reports NaN rather than a stale zero', () => {
    assert.ok(Number.isNaN(new SampleRing(2).latest()));
  });
});

describe('RingSet', () => {
  it('sizes each ring from its sampling rate and the history window', () => {
    const set = new RingSet(
      [
        { name: 'pole.vibration_rms', rateHz: 100 },
        { name: 'cabinet.temperature_c', rateHz: 1 },
      ],
      { windowS: 600, minCapacity: 64 },
    );
    assert.equal(set.get('pole.vibration_rms').capacity, 60_000);
    assert.equal(set.get('cabinet.temperature_c').capacity, 600);
    assert.throws(() => set.get('nope'), /unknown stream "nope"/);
    assert.throws(() => new RingSet([{ name: 'a', rateHz: 1 }, { name: 'a', rateHz: 1 }], { windowS: 1 }), /declared twice/);
  });
});

describe('back-pressure under a flood', () => {
  it('sample queue: drops the oldest, counts every drop, keeps the newest capacity samples', () => {
    const q = new SampleQueue('samples', 100);
    for (let i = 0; i < 100_000; i++) q.push(i % 7, i, i);
    assert.equal(q.depth, 100);
    assert.equal(q.dropped, 100_000 - 100);
    assert.equal(q.enqueued, 100_000);
    const seen: number[] = [];
    while (q.shift()) seen.push(q.outValue);
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => 99_900 + i));
    const rep = q.report(100_000);
    assert.equal(rep.policy, 'drop-oldest');
    assert.equal(rep.depth, 0);
    assert.equal(rep.lagMs, 0);
  });

  it('alert queue (spill): never drops, everything past capacity goes to the durable outbox in order', () => {
    const outbox: number[] = [];
    const q = new BoundedQueue<number>('alerts', 16, 'spill', { spill: (x) => outbox.push(x) });
    for (let i = 0; i < 10_000; i++) q.push(i, i);
    assert.equal(q.dropped, 0);
    assert.equal(q.depth, 16);
    assert.equal(q.spilled, 10_000 - 16);
    const queued: number[] = [];
    for (let x = q.shift(); x !== undefined; x = q.shift()) queued.push(x);
    // Nothing lost: queued + spilled is exactly what was produced.
    assert.deepEqual([...queued, ...outbox].sort((a, b) => a - b), Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('drop-oldest object queue returns dropped items through onDrop (back to their pool)', () => {
    const pool = new ObjectPool(() => ({ v: 0 }), (o) => (o.v = 0), 8);
    const q = new BoundedQueue<{ v: number }>('telemetry', 8, 'drop-oldest', { onDrop: (o) => pool.release(o) });
    for (let i = 0; i < 1000; i++) {
      const o = pool.acquire();
      o.v = i;
      q.push(o, i);
    }
    assert.equal(q.dropped, 992);
    assert.equal(pool.inUse, 8, 'only the queued items are out of the pool');
    assert.equal(pool.grown, 1, 'one extra object covers the push-then-drop overlap');
    assert.equal(q.peek()!.v, 992);
  });

  it('reports lag as the age of the oldest waiting item', () => {
    const q = new BoundedQueue<string>('events', 4, 'drop-oldest');
    q.push('a', 100);
    q.push('b', 150);
    assert.equal(q.report(400).lagMs, 300);
    q.shift();
    assert.equal(q.report(400).lagMs, 250);
  });

  it('a spill queue without a spill target is refused at construction', () => {
    assert.throws(() => new BoundedQueue('alerts', 4, 'spill'), /needs a spill target/);
  });
});

describe('ObjectPool', () => {
  it('reuses released objects and resets them', () => {
    const pool = new ObjectPool(() => ({ n: 0 }), (o) => (o.n = 0), 2);
    const a = pool.acquire();
    a.n = 5;
    pool.release(a);
    const b = pool.acquire();
    assert.equal(b, a);
    assert.equal(b.n, 0);
    assert.equal(pool.grown, 0);
  });
});
