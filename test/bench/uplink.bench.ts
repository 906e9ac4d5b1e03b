/**
 * `npm run bench -- uplink`: what the uplink costs on this machine.
 * - Fernet: encrypt + decrypt of a 1 KiB telemetry summary;
 * - outbox: committed messages per second (WAL + synchronous=FULL: one fsync each);
 * - summariser: ns per addSample, heap growth and GC runs over 5 M samples (the hot path
 *   must allocate nothing);
 * - end to end through a real Mosquitto: alerts per second from publishAlert to PUBACK;
 * - bandwidth: raw sample bytes vs uplinked bytes for the demo site's streams, 60 s interval.
 * Prints a table and writes bench-results/uplink.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { Fernet, MultiFernet } from '../../firmware/uplink/fernet.js';
import { Outbox } from '../../firmware/uplink/outbox.js';
import { TelemetrySummariser } from '../../firmware/uplink/telemetry-summary.js';
import { Uplink } from '../../firmware/uplink/uplink.js';
import { Mosquitto } from '../helpers/mosquitto.js';

const rows: { name: string; value: number; unit: string; note?: string }[] = [];
const dir = await mkdtemp(join(tmpdir(), 'wayside-bench-uplink-'));

// Fernet
{
  const f = new Fernet(Fernet.generateKey());
  const msg = JSON.stringify({ device: 'cab-1', seq: 1, ts: Date.now(), pad: 'x'.repeat(1000) });
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f.decrypt(f.encrypt(msg));
  const dt = performance.now() - t0;
  rows.push({ name: 'fernet encrypt+decrypt 1 KiB', value: Math.round((n / dt) * 1000), unit: 'ops/s' });
}

// Outbox commit rate
{
  const o = Outbox.open(join(dir, 'bench.sqlite'), { maxMessages: 1_000_000, maxBytes: 1 << 30 });
  const n = 300;
  const payload = 'p'.repeat(400);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) o.enqueue('alert', 'wayside/b/alerts', () => payload);
  const dt = performance.now() - t0;
  o.close();
  rows.push({ name: 'outbox enqueue (WAL, synchronous=FULL)', value: Math.round((n / dt) * 1000), unit: 'msg/s', note: `${(dt / n).toFixed(2)} ms each (fsync)` });
}

// Summariser hot path
{
  const s = new TelemetrySummariser();
  const names = Array.from({ length: 14 }, (_, i) => `stream-${i}`);
  for (const nm of names) s.add(nm, 0, 0);
  s.take();
  let gcs = 0;
  const obs = new PerformanceObserver((l) => (gcs += l.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const n = 5_000_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) s.add(names[i % 14]!, i & 1023, (i & 15) / 16);
  const dt = performance.now() - t0;
  const heap1 = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  rows.push({ name: 'summariser addSample', value: Number(((dt * 1e6) / n).toFixed(1)), unit: 'ns/sample' });
  const growth = Math.max(0, heap1 - heap0);
  rows.push({ name: 'summariser heap growth over 5 M samples', value: growth, unit: 'bytes', note: `${(growth / n).toFixed(3)} B/sample (JIT, not per-sample objects)` });
  rows.push({ name: 'summariser GC runs over 5 M samples', value: gcs, unit: 'count' });
}

// End to end and bandwidth through a real broker
const broker = await Mosquitto.start({ persistence: false });
try {
  const ring = new MultiFernet([Fernet.generateKey()]);
  const clock = new VirtualClock();
  const up = await Uplink.open({ device: 'bench', broker: broker.url, ring, outboxPath: join(dir, 'e2e.sqlite'), clock, telemetryIntervalMs: 60_000 });
  await up.waitConnected();
  const n = 1000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    up.publishAlert({ type: 'bench', i });
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  await up.drain(60_000);
  const dt = performance.now() - t0;
  rows.push({ name: 'alerts publishAlert → PUBACK', value: Math.round((n / dt) * 1000), unit: 'msg/s', note: 'outbox fsync-bound' });

  const streams: [string, number][] = [
    ['cabinet.temp_c', 1], ['cabinet.humidity', 1], ['cabinet.pressure_hpa', 1],
    ['lamps-2.bus_v', 10], ['lamps-2.current_a', 10], ['lamps-4.bus_v', 10], ['lamps-4.current_a', 10],
    ['pole.ax', 100], ['pole.ay', 100], ['pole.az', 100], ['pole.gx', 100], ['pole.gy', 100], ['pole.gz', 100], ['supply.v', 8],
  ];
  const before = up.stats();
  for (let s = 0; s < 3600; s++) {
    for (const [name, hz] of streams) for (let k = 0; k < hz; k++) up.addSample(name, s * 1000, Math.sin(s + k), 0.1);
    clock.advance(1000);
    if (s % 60 === 59) await new Promise((r) => setImmediate(r));
  }
  await up.drain(60_000);
  const after = up.stats();
  const raw = after.raw_bytes - before.raw_bytes;
  const sent = after.uplinked_bytes - before.uplinked_bytes;
  rows.push({ name: 'demo site, 1 h: raw sample bytes', value: raw, unit: 'bytes', note: '16 B/sample (f64 t + f64 v)' });
  rows.push({ name: 'demo site, 1 h: uplinked bytes', value: sent, unit: 'bytes', note: 'topic + Fernet token, 60 summaries' });
  rows.push({ name: 'demo site, 1 h: reduction', value: Number((100 * (1 - sent / raw)).toFixed(2)), unit: '%' });
  await up.close();
} finally {
  await broker.dispose();
  await rm(dir, { recursive: true, force: true });
}

const w = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) console.log(`${r.name.padEnd(w)}  ${String(r.value).padStart(12)} ${r.unit.padEnd(10)} ${r.note ?? ''}`);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/uplink.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2) + '\n');
