import { parentPort, type MessagePort } from 'node:worker_threads';

/**
 * The system thread's entry (see system-thread.ts): loads each hosted module and runs its
 * `hostedMain(port, workerData)` with a port of its own; `unload` runs the stop hook it returned.
 */
type HostedMain = (port: MessagePort, workerData: unknown) => Promise<(() => unknown) | void> | (() => unknown) | void;

const control = parentPort!;
const stops = new Map<number, Promise<(() => unknown) | void>>();

control.on('message', (m: { type: 'load'; id: number; url: string; name: string; workerData: unknown; port: MessagePort } | { type: 'unload'; id: number }) => {
  if (m.type === 'load') {
    const started = (async () => {
      const mod = (await import(m.url)) as { hostedMain?: HostedMain };
      if (typeof mod.hostedMain !== 'function') throw new Error(`${m.name}: ${m.url} exports no hostedMain(port, workerData)`);
      return mod.hostedMain(m.port, m.workerData);
    })();
    // A module that fails to start is an error of the thread, as it would be for a worker of its own.
    started.catch((err) => setImmediate(() => { throw err; }));
    stops.set(m.id, started.catch(() => undefined));
  } else if (m.type === 'unload') {
    const stop = stops.get(m.id);
    stops.delete(m.id);
    void (async () => {
      try {
        const fn = await stop;
        if (typeof fn === 'function') await fn();
      } finally {
        control.postMessage({ type: 'unloaded', id: m.id });
      }
    })();
  }
});
