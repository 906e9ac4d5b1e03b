import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCommandToken } from '../../firmware/uplink/command-sender.js';
import { CommandGate } from '../../firmware/uplink/command-gate.js';
import { Fernet, MultiFernet } from '../../firmware/uplink/fernet.js';
import { Outbox } from '../../firmware/uplink/outbox.js';
import { ReplayWindow } from '../../firmware/uplink/replay-window.js';

const T0 = 1_800_000_000; // seconds

describe('command gate', () => {
  const ring = new MultiFernet([Fernet.generateKey()]);
  const gate = (window = new ReplayWindow(100)): CommandGate => new CommandGate('cab-1', ring, 30, window);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wayside-gate-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts an allow-listed command within the TTL, with its arguments', () => {
    const c = makeCommandToken(ring, 'cab-1', 'set-plan', { plan: 'night' }, { nowS: T0 });
    assert.deepEqual(gate().check(c.token, (T0 + 30) * 1000), { ok: true, id: c.id, cmd: 'set-plan', args: { plan: 'night' } });
  });

  it('refuses at TTL + 1 s, and tokens more than 60 s in the future', () => {
    const g = gate();
    const c = makeCommandToken(ring, 'cab-1', 'get-state', {}, { nowS: T0 });
    const v = g.check(c.token, (T0 + 31) * 1000);
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.reason, 'expired');
    assert.equal(!v.ok && v.id, c.id, 'an authentic stale command is acked with its id');
    const f = makeCommandToken(ring, 'cab-1', 'get-state', {}, { nowS: T0 + 61 });
    assert.equal((g.check(f.token, T0 * 1000) as { reason: string }).reason, 'future');
  });

  it('refuses a forged token without reading it', () => {
    const c = makeCommandToken(new MultiFernet([Fernet.generateKey()]), 'cab-1', 'get-state', {}, { nowS: T0 });
    assert.deepEqual(gate().check(c.token, T0 * 1000), { ok: false, id: null, cmd: null, reason: 'forged', detail: 'invalid Fernet token (signature)' });
  });

  it('forged tokens do not enter the replay window', () => {
    const w = new ReplayWindow(100);
    const g = gate(w);
    const other = new MultiFernet([Fernet.generateKey()]);
    g.check(makeCommandToken(other, 'cab-1', 'get-state', {}, { id: 'same-id-123', nowS: T0 }).token, T0 * 1000);
    assert.equal(w.size, 0);
    assert.equal(g.check(makeCommandToken(ring, 'cab-1', 'get-state', {}, { id: 'same-id-123', nowS: T0 }).token, T0 * 1000).ok, true);
  });

  it('refuses a replay by id (even re-encrypted), and remembers ids across a restart through the outbox file', () => {
    const file = join(dir, 'outbox.sqlite');
    const o1 = Outbox.open(file, { maxMessages: 100, maxBytes: 1 << 20 });
    const g1 = gate(new ReplayWindow(100, o1.db));
    const a = makeCommandToken(ring, 'cab-1', 'get-state', {}, { id: 'cmd-0001', nowS: T0 });
    assert.equal(g1.check(a.token, T0 * 1000).ok, true);
    const again = makeCommandToken(ring, 'cab-1', 'get-state', {}, { id: 'cmd-0001', nowS: T0 + 1 });
    assert.equal((g1.check(again.token, (T0 + 1) * 1000) as { reason: string }).reason, 'replayed');
    o1.close();
    const o2 = Outbox.open(file, { maxMessages: 100, maxBytes: 1 << 20 });
    const g2 = gate(new ReplayWindow(100, o2.db));
    assert.equal((g2.check(a.token, (T0 + 5) * 1000) as { reason: string }).reason, 'replayed');
    o2.close();
  });

  it('refuses commands not on the allow-list, with bad arguments, or for another device', () => {
    const g = gate();
    const r = (cmd: string, args: Record<string, unknown> = {}, device = 'cab-1'): string =>
      (g.check(makeCommandToken(ring, device, cmd, args, { nowS: T0 }).token, T0 * 1000) as { reason: string }).reason;
    assert.equal(r('reboot'), 'not-allowed');
    assert.equal(r('__proto__'), 'not-allowed');
    assert.equal(r('set-plan', {}), 'bad-args');
    assert.equal(r('retrain', { stream: 3 }), 'bad-args');
    assert.equal(r('get-state', {}, 'cab-2'), 'wrong-device');
  });

  it('refuses authentic tokens that are not command JSON', () => {
    const g = gate();
    assert.equal((g.check(ring.encrypt('hello', { nowS: T0 }), T0 * 1000) as { reason: string }).reason, 'malformed');
    assert.equal((g.check(ring.encrypt('{"cmd":"get-state"}', { nowS: T0 }), T0 * 1000) as { reason: string }).reason, 'malformed');
  });
});

describe('replay window', () => {
  it('forgets ids after they expire, and the oldest ids beyond its capacity', () => {
    const w = new ReplayWindow(2);
    assert.equal(w.admit('a', 0, 1000), true);
    assert.equal(w.admit('a', 500, 1000), false);
    assert.equal(w.admit('a', 1001, 2000), true, 'expired ids may come again (the TTL refuses the old token anyway)');
    w.admit('b', 1001, 2000);
    w.admit('c', 1001, 2000);
    assert.equal(w.size, 2);
    assert.equal(w.admit('c', 1002, 2000), false);
  });
});
