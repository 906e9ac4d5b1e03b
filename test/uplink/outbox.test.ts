import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outbox } from '../../firmware/uplink/outbox.js';

describe('durable outbox', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wayside-outbox-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const limits = { maxMessages: 1000, maxBytes: 1 << 20 };

  it('numbers messages 1, 2, 3 … and keeps the counter across reopen, even when the outbox empties', () => {
    const file = join(dir, 'seq.sqlite');
    const a = Outbox.open(file, limits);
    assert.equal(a.enqueue('alert', 't/a', (s) => `m${s}`), 1);
    assert.equal(a.enqueue('telemetry', 't/t', (s) => `m${s}`), 2);
    a.remove(1);
    a.remove(2);
    assert.equal(a.size.messages, 0);
    a.close();
    const b = Outbox.open(file, limits);
    assert.equal(b.lastSeq, 2);
    assert.equal(b.enqueue('alert', 't/a', (s) => `m${s}`), 3);
    b.close();
  });

  it('uses WAL with synchronous=FULL (each commit is fsync\'d before enqueue returns)', () => {
    const o = Outbox.open(join(dir, 'pragma.sqlite'), limits);
    assert.equal(o.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(o.db.pragma('synchronous', { simple: true }), 2);
    o.close();
  });

  it('replays what was not acknowledged, in seq order, after a reopen', () => {
    const file = join(dir, 'replay.sqlite');
    const a = Outbox.open(file, limits);
    for (let i = 0; i < 6; i++) a.enqueue(i % 2 ? 'alert' : 'telemetry', 'x', (s) => `payload-${s}`);
    a.remove(2);
    a.remove(5);
    a.close();
    const b = Outbox.open(file, limits);
    assert.deepEqual(b.pendingAfter(0, 100).map((r) => r.seq), [1, 3, 4, 6]);
    assert.deepEqual(b.pendingAfter(3, 1).map((r) => [r.seq, r.payload]), [[4, 'payload-4']]);
    assert.equal(b.size.messages, 4);
    assert.equal(b.size.bytes, 4 * 'payload-1'.length);
    b.remove(4);
    b.remove(4); // a second PUBACK for the same seq is harmless
    assert.equal(b.size.messages, 3);
    b.close();
  });

  it('when full, drops the oldest telemetry first, then acks, never alerts, and counts the drops persistently', () => {
    const file = join(dir, 'bound.sqlite');
    const o = Outbox.open(file, { maxMessages: 4, maxBytes: 1 << 20 });
    o.enqueue('telemetry', 'x', () => 't1'); // 1
    o.enqueue('alert', 'x', () => 'a2'); // 2
    o.enqueue('ack', 'x', () => 'k3'); // 3
    o.enqueue('telemetry', 'x', () => 't4'); // 4
    o.enqueue('alert', 'x', () => 'a5'); // 5: drops telemetry 1
    assert.deepEqual(o.pendingAfter(0, 10).map((r) => r.seq), [2, 3, 4, 5]);
    o.enqueue('alert', 'x', () => 'a6'); // drops telemetry 4
    o.enqueue('alert', 'x', () => 'a7'); // no telemetry left: drops ack 3
    assert.deepEqual(o.pendingAfter(0, 10).map((r) => r.seq), [2, 5, 6, 7]);
    o.enqueue('alert', 'x', () => 'a8'); // only alerts: kept beyond the bound
    assert.deepEqual(o.pendingAfter(0, 10).map((r) => r.seq), [2, 5, 6, 7, 8]);
    assert.deepEqual({ ...o.dropped }, { telemetry: 2, ack: 1 });
    o.close();
    const again = Outbox.open(file, { maxMessages: 4, maxBytes: 1 << 20 });
    assert.deepEqual({ ...again.dropped }, { telemetry: 2, ack: 1 });
    again.close();
  });

  it('bounds bytes as well as messages', () => {
    const o = Outbox.open(join(dir, 'bytes.sqlite'), { maxMessages: 1000, maxBytes: 100 });
    o.enqueue('telemetry', 'x', () => 'x'.repeat(60));
    o.enqueue('telemetry', 'x', () => 'y'.repeat(60));
    assert.equal(o.size.messages, 1);
    assert.equal(o.pendingAfter(0, 10)[0]!.payload[0], 'y');
    assert.equal(o.dropped.telemetry, 1);
    o.close();
  });

  it('a failing payload builder commits nothing and uses no seq', () => {
    const o = Outbox.open(join(dir, 'rollback.sqlite'), limits);
    assert.throws(() => o.enqueue('alert', 'x', () => {
      throw new Error('boom');
    }));
    assert.equal(o.enqueue('alert', 'x', (s) => `m${s}`), 1);
    o.close();
  });
});
