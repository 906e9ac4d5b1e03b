import { parentPort, workerData } from 'node:worker_threads';
import { currentTid } from '../runtime/affinity.js';
import { absoluteNowMs, evaluateHealth, Heartbeat } from '../runtime/heartbeat.js';
import { StatusMetrics } from './metrics.js';
import { buildStatusServer } from './server.js';
import type { StatusSnapshot } from './snapshot.js';

/**
 * The status thread: HTTP server, Prometheus registry, SSE fan-out. Everything here is off the
 * control thread; it learns the state from snapshots posted to it and from the shared heartbeat.
 */
export interface StatusWorkerData {
  readonly heartbeat: SharedArrayBuffer;
  readonly host: string;
  readonly port: number;
  readonly staleMs: number;
}

const data = workerData as StatusWorkerData;
const port = parentPort!;
const heartbeat = new Heartbeat(data.heartbeat);
const metrics = new StatusMetrics();
let latest: StatusSnapshot | null = null;
const subscribers = new Set<(s: StatusSnapshot) => void>();

const app = await buildStatusServer({
  heartbeat: () => heartbeat.read(),
  staleMs: data.staleMs,
  metrics,
  latest: () => latest,
  subscribe: (fn) => {
    subscribers.add(fn);
    return () => subscribers.delete(fn);
  },
});

port.on('message', (m: { type: 'snapshot'; snapshot: StatusSnapshot } | { type: 'close' }) => {
  if (m.type === 'snapshot') {
    latest = m.snapshot;
    metrics.update(m.snapshot, evaluateHealth(heartbeat.read(), absoluteNowMs(), data.staleMs));
    for (const fn of subscribers) fn(m.snapshot);
  } else if (m.type === 'close') {
    void app.close().then(() => port.postMessage({ type: 'closed' }));
  }
});

try {
  const address = await app.listen({ host: data.host, port: data.port });
  port.postMessage({ type: 'listening', address, tid: currentTid() });
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
