import { parentPort, type MessagePort } from 'node:worker_threads';
import { currentTid } from './affinity.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

export type WorkerHandler = (payload: any) => unknown;

/** The channel to the control thread: the worker's own parentPort, or a port on the shared system thread. */
export type HostPort = MessagePort | NonNullable<typeof parentPort>;

/**
 * The worker side: announces its OS thread id (so the control thread can pin it), then runs
 * requests one at a time in arrival order and answers each with its result and how long it took.
 */
export function serveWorker(name: string, handlers: Record<string, WorkerHandler>, port: HostPort | null = parentPort): void {
  if (!port) throw new Error(`${name}: serveWorker must run inside a worker thread`);
  const ready: WorkerReply = { type: 'ready', tid: currentTid(), name };
  port.postMessage(ready);
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(async () => {
      const t0 = performance.now();
      const h = handlers[req.kind];
      try {
        if (!h) throw new Error(`${name}: no handler for "${req.kind}"; known: ${Object.keys(handlers).join(', ')}`);
        const result = await h(req.payload);
        port.postMessage({ type: 'result', id: req.id, ok: true, result, ms: performance.now() - t0 } satisfies WorkerReply);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        port.postMessage({ type: 'result', id: req.id, ok: false, error, ms: performance.now() - t0 } satisfies WorkerReply);
      }
    });
  });
}

/** Sends an unsolicited event (a cron job's result) to the control thread. */
export function postWorkerEvent(event: unknown, port: HostPort | null = parentPort): void {
  port?.postMessage({ type: 'event', event } satisfies WorkerReply);
}
