import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getBoard } from '../../boards/index.js';
import { startCabinet, stopCabinet } from '../../firmware/runtime/cabinet.js';
import { loadSite } from '../../firmware/site/load.js';
import { readKeyRing, writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { brokerForSuite } from '../helpers/mosquitto.js';
import { TestConsumer } from '../uplink/consumer.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A flood of faults through the whole runtime: the alerts queue (capacity 1024) overflows, and
 * by policy every fault is still handed to the uplink thread's durable outbox and reaches a real
 * broker, encrypted. Sensor telemetry leaves as summaries (far fewer bytes than raw).
 */
describe('runtime → uplink under a flood of faults (real Mosquitto)', () => {
  const suite = brokerForSuite('wayside-rt-uplink-', { persistence: false });

  it('never drops a fault: 3000 at once all reach the broker; telemetry is summarised', async () => {
    const keyFile = join(suite.dir, 'key');
    await writeNewKeyFile(keyFile);
    const consumer = await TestConsumer.connect(suite.broker.url, await readKeyRing([keyFile]));
    const site = await loadSite(join(ROOT, 'firmware/sites/demo.yaml'));
    const c = await startCabinet({
      site: { ...site, uplink: { broker: suite.broker.url, key_file: keyFile, telemetry_interval_s: 1, outbox: { path: join(suite.dir, 'outbox.sqlite') } } } as typeof site,
      siteFile: join(ROOT, 'firmware/sites/demo.yaml'),
      board: getBoard('sim')!,
      status: null,
      inference: false,
      jobs: false,
      eventLog: join(suite.dir, 'events.jsonl'),
    });
    const N = 3000;
    for (let i = 0; i < N; i++) c.runtime.emit('fault', i, 'flood', `fault ${i}`);
    assert.equal(c.runtime.alerts.dropped, 0);
    assert.ok(c.runtime.alerts.spilled >= N - 1024, `spilled ${c.runtime.alerts.spilled}`);
    const flood = () => consumer.unique.filter((r) => r.kind === 'alerts' && String(r.body.source) === 'flood');
    await consumer.until(() => flood().length === N, `${N} faults at the broker (have ${flood().length})`, 60_000);
    await consumer.until(() => consumer.unique.some((r) => r.kind === 'telemetry'), 'a telemetry summary', 20_000);
    const summary = await stopCabinet(c, 'test over');
    await consumer.close();
    assert.deepEqual(new Set(flood().map((r) => r.body.message)).size, N, 'every fault exactly once');
    assert.ok(summary.uplinked_bytes > 0 && summary.raw_bytes > 0);
  });
});
