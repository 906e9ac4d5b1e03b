import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { readKeyRing, writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { Outbox } from '../../firmware/uplink/outbox.js';
import { Uplink } from '../../firmware/uplink/uplink.js';

describe('alert messages', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wayside-alert-kind-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('carry the runtime event’s kind as event_kind, so a fault is told from an anomaly', async () => {
    const key = join(dir, 'k.key');
    await writeNewKeyFile(key);
    const ring = await readKeyRing([key]);
    const outboxPath = join(dir, 'outbox.sqlite');
    // Port 9 (discard) on localhost: nothing listens, so both alerts stay in the outbox.
    const up = await Uplink.open({ device: 'cab-1', broker: 'mqtt://127.0.0.1:9', ring, outboxPath, reconnectMs: 60_000, clock: new VirtualClock() });
    up.publishAlert({ kind: 'fault', source: 'monitor', message: 'conflict 2/4', t_ms: 5 });
    up.publishAlert({ kind: 'alert', source: 'pole.vibration_rms_g', message: 'anomaly', score: 0.97, t_ms: 6 });
    up.publishAlert({ source: 'door', message: 'opened' });
    await up.close({ drainMs: 0 });

    const o = Outbox.open(outboxPath, { maxMessages: 100, maxBytes: 1 << 20 });
    const msgs = o.pendingAfter(0, 10).map((r) => JSON.parse(ring.decrypt(r.payload).toString('utf8')) as Record<string, unknown>);
    o.close();
    assert.deepEqual(
      msgs.map((m) => [m.kind, m.event_kind, m.source]),
      [
        ['alert', 'fault', 'monitor'],
        ['alert', 'alert', 'pole.vibration_rms_g'],
        ['alert', undefined, 'door'],
      ],
    );
    assert.equal(msgs[0]!.device, 'cab-1');
    assert.deepEqual(msgs.map((m) => m.seq), [1, 2, 3]);
  });
});
