import { parentPort, workerData } from 'node:worker_threads';
import { currentTid } from '../runtime/affinity.js';
import { absoluteNowMs, evaluateHealth, Heartbeat } from '../runtime/heartbeat.js';
import type { HostPort } from '../runtime/worker-host.js';
import { StatusMetrics } from './metrics.js';
import { buildStatusServer } from './server.js';
import type { StatusSnapshot } from './snapshot.js';

/**
 * The status service: HTTP server, Prometheus registry, SSE fan-out. Everything here is off the
 * control thread (on the shared system thread, see runtime/system-thread.ts); it learns the
 * state from snapshots posted to it and from the shared heartbeat.
 */
export interface StatusWorkerData {
  readonly heartbeat: SharedArrayBuffer;
  readonly host: string;
  readonly port: number;
  readonly staleMs: number;
}

/** Starts the server for one runtime on `port`; returns the stop hook (server closed). */
export async function hostedMain(port: HostPort, data: StatusWorkerData): Promise<() => Promise<void>> {
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

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => (closing ??= app.close().then(() => undefined));
  port.on('message', (m: { type: 'snapshot'; snapshot: StatusSnapshot } | { type: 'close' }) => {
    if (m.type === 'snapshot') {
      latest = m.snapshot;
      metrics.update(m.snapshot, evaluateHealth(heartbeat.read(), absoluteNowMs(), data.staleMs));
      for (const fn of subscribers) fn(m.snapshot);
    } else if (m.type === 'close') {
      void close().then(() => port.postMessage({ type: 'closed' }));
    }
  });

  try {
    const address = await app.listen({ host: data.host, port: data.port });
    port.postMessage({ type: 'listening', address, tid: currentTid() });
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
  return close;
}

// Started as a worker of its own (not loaded onto the system thread).
if (parentPort && (workerData as Partial<StatusWorkerData> | undefined)?.heartbeat) void hostedMain(parentPort, workerData as StatusWorkerData);
