import type { Heartbeat } from '../runtime/heartbeat.js';
import { loadOnSystemThread } from '../runtime/system-thread.js';
import type { ThreadHandle } from '../runtime/thread-handle.js';
import type { StatusSnapshot } from './snapshot.js';
import type { StatusWorkerData } from './status-worker.js';

/** The control thread's handle on the status server, which runs on the shared system thread. */
export class StatusThread {
  private constructor(
    private readonly worker: ThreadHandle,
    /** `http://127.0.0.1:8080` */
    readonly url: string,
    readonly tid: number | null,
  ) {}

  static async start(heartbeat: Heartbeat, options: { host: string; port: number; staleMs: number }): Promise<StatusThread> {
    const data: StatusWorkerData = { heartbeat: heartbeat.buffer, host: options.host, port: options.port, staleMs: options.staleMs };
    const worker = loadOnSystemThread(new URL(`./status-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url), data, 'status');
    const { url, tid } = await new Promise<{ url: string; tid: number | null }>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', function onMsg(m: { type: string; address?: string; tid?: number | null; message?: string }) {
        if (m.type === 'listening') {
          worker.off('message', onMsg);
          resolve({ url: m.address!, tid: m.tid ?? null });
        } else if (m.type === 'error') {
          reject(new Error(`status server on ${options.host}:${options.port}: ${m.message}`));
        }
      });
    });
    worker.unref();
    return new StatusThread(worker, url, tid);
  }

  /** The thread it runs on, for the runtime to notice it exiting. */
  get handle(): ThreadHandle {
    return this.worker;
  }

  publish(snapshot: StatusSnapshot): void {
    this.worker.postMessage({ type: 'snapshot', snapshot });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      this.worker.on('message', (m: { type: string }) => {
        if (m.type === 'closed') {
          clearTimeout(t);
          resolve();
        }
      });
    });
    this.worker.postMessage({ type: 'close' });
    await closed;
    await this.worker.terminate();
  }
}
