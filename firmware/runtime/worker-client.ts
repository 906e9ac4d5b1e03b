import { spawnWorker } from './spawn-worker.js';
import { loadOnSystemThread } from './system-thread.js';
import type { ThreadHandle } from './thread-handle.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

/** Services that run on the shared system thread rather than a worker of their own. */
const SYSTEM_THREAD_SERVICES = new Set(['jobs', 'uplink']);

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  kind: string;
}

/**
 * The control thread's handle on a worker. Requests never block the caller: they return a
 * promise, and a request the worker has not answered within `timeoutMs` rejects (counted in
 * `timeouts`) so a stalled model cannot hold up anything that awaits it. The control loop
 * itself never awaits a worker; detectors that use a model take the last score they got.
 */
export class WorkerClient {
  readonly worker: ThreadHandle;
  readonly ready: Promise<{ tid: number | null }>;
  tid: number | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  completed = 0;
  failed = 0;
  timeouts = 0;
  /** Called with (kind, worker-side ms) for each answer: feeds the inference latency metric. */
  onLatency: ((kind: string, ms: number) => void) | undefined;
  onEvent: ((event: unknown) => void) | undefined;
  private exited = false;
  private started = false;

  constructor(
    readonly name: string,
    url: URL,
    workerData: unknown = undefined,
    private readonly defaultTimeoutMs = 5000,
  ) {
    // The jobs share the system thread with the status server (system-thread.ts); other workers get a thread each.
    this.worker = SYSTEM_THREAD_SERVICES.has(name) ? loadOnSystemThread(url, workerData, name) : spawnWorker(url, { workerData, name });
    this.ready = new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(new Error(`worker ${name} failed to start: ${e.message}`));
      this.worker.once('error', onError);
      this.worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          this.tid = m.tid;
          this.started = true;
          this.worker.off('error', onError);
          if (this.pending.size === 0) this.worker.unref();
          resolve({ tid: m.tid });
        } else this.onMessage(m);
      });
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', () => {
      this.exited = true;
      this.failAll(new Error(`worker ${name} exited`));
    });
    // Starting up and answering requests keeps the process alive; an idle worker does not.
  }

  get inFlight(): number {
    return this.pending.size;
  }

  request<T = unknown>(kind: string, payload: unknown, options: { timeoutMs?: number; transfer?: ArrayBuffer[]; /** Name for the latency callback (a model name); default the kind. */ label?: string } = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`worker ${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const ms = options.timeoutMs ?? this.defaultTimeoutMs;
      const timer =
        ms > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              this.timeouts++;
              reject(new Error(`worker ${this.name}: "${kind}" not answered within ${ms} ms`));
            }, ms)
          : undefined;
      timer?.unref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, kind: options.label ?? kind });
      this.worker.ref();
      const req: WorkerRequest = { id, kind, payload };
      this.worker.postMessage(req, options.transfer ?? []);
    });
  }

  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0 && this.started) this.worker.unref();
  }

  private onMessage(m: WorkerReply): void {
    if (m.type === 'event') {
      this.onEvent?.(m.event);
      return;
    }
    if (m.type !== 'result') return;
    const p = this.pending.get(m.id);
    if (!p) return; // answered after its timeout
    this.settle(m.id);
    if (p.timer) clearTimeout(p.timer);
    this.onLatency?.(p.kind, m.ms);
    if (m.ok) {
      this.completed++;
      p.resolve(m.result);
    } else {
      this.failed++;
      p.reject(new Error(m.error));
    }
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
      this.settle(id);
    }
  }
}
