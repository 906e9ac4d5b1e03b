import { workerData } from 'node:worker_threads';
import type { Site } from '../site/schema.js';
import type { UplinkOverrides } from '../uplink/options.js';
import { SampleRing, type SampleRingShared } from './ring-buffer.js';
import { serveWorker } from './worker-host.js';

/**
 * The uplink thread: MQTT, Fernet encryption and the SQLite outbox (firmware/uplink) run here,
 * off the control thread. Telemetry is read straight from the control thread's ring buffers in
 * shared memory once a second (nothing is posted per sample); alerts and faults arrive as
 * messages and go to the durable outbox at once.
 */
export interface UplinkWorkerData {
  readonly site: Site;
  readonly overrides: UplinkOverrides;
  readonly siteDir: string;
  readonly streams: { readonly name: string; readonly ring: SampleRingShared }[];
}

const data = workerData as UplinkWorkerData;
const { buildUplinkOptions } = await import('../uplink/options.js');
const { Uplink } = await import('../uplink/uplink.js');
const opts = await buildUplinkOptions(data.site, data.overrides, data.siteDir);
if (!opts) throw new Error('uplink worker started without an uplink configured');
const up = await Uplink.open(opts);
const rings = data.streams.map((s) => ({ name: s.name, ring: SampleRing.attach(s.ring), seen: 0 }));

function collect(): void {
  for (const r of rings) {
    const total = r.ring.total;
    // Samples pushed since the last look, limited to what the ring still holds.
    const fresh = Math.min(total - r.seen, r.ring.length);
    const start = r.ring.length - fresh;
    for (let i = start; i < r.ring.length; i++) up.addSample(r.name, r.ring.timeAt(i), r.ring.valueAt(i));
    r.seen = total;
  }
}
const timer = setInterval(collect, 1000);

serveWorker('uplink', {
  alert: (fields: Record<string, unknown>) => up.publishAlert(fields),
  stats: () => up.stats(),
  close: async (p: { drainMs: number }) => {
    clearInterval(timer);
    collect();
    await up.close({ drainMs: p.drainMs });
    return up.stats();
  },
});
