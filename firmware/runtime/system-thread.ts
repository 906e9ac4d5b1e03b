import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort, type TransferListItem, type Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn-worker.js';
import type { ThreadHandle } from './thread-handle.js';

/**
 * The "system" thread: the light services (the status server, the cron jobs and the uplink) share one
 * worker thread instead of one each, the board profile's `system` role. A worker thread costs
 * ~10 MB of RSS before it loads anything (its own V8 isolate and Node environment), so two
 * threads for two mostly idle services were ~10 MB of peak RSS for nothing.
 *
 * Each hosted module gets a MessageChannel of its own and is seen by the control thread through
 * a ThreadHandle, exactly like a worker of its own; the thread ends when its last module is
 * unloaded. Jobs that take long (the detector refit) yield between chunks so /healthz and the
 * SSE stream on the same thread keep answering.
 */
class HostedModule extends EventEmitter implements ThreadHandle {
  private refs = 0;
  private gone = false;
  constructor(
    private readonly host: SystemHost,
    readonly id: number,
    readonly port: MessagePort,
  ) {
    super();
    port.on('message', (m) => this.emit('message', m));
    port.unref();
  }

  postMessage(value: unknown, transferList?: readonly TransferListItem[]): void {
    this.port.postMessage(value, transferList as TransferListItem[] | undefined);
  }

  ref(): void {
    if (this.refs++ === 0) this.host.ref();
  }

  unref(): void {
    if (this.refs > 0 && --this.refs === 0) this.host.unref();
  }

  /** Unloads this module (its stop hook runs on the system thread); the thread exits after the last one. */
  async terminate(): Promise<number> {
    if (this.gone) return 0;
    while (this.refs > 0) this.unref();
    await this.host.unload(this);
    return 0;
  }

  exited(code: number): void {
    if (this.gone) return;
    this.gone = true;
    this.port.close();
    this.emit('exit', code);
  }
}

class SystemHost {
  readonly worker: Worker;
  private readonly modules = new Map<number, HostedModule>();
  private readonly unloads = new Map<number, () => void>();
  private nextId = 1;
  private refs = 0;
  private exited = false;

  constructor() {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    this.worker = spawnWorker(new URL(`./system-worker${ext}`, import.meta.url), { name: 'system' });
    this.worker.unref();
    this.worker.on('message', (m: { type: string; id: number }) => {
      if (m.type === 'unloaded') this.unloads.get(m.id)?.();
    });
    this.worker.on('error', (e) => {
      for (const mod of this.modules.values()) mod.emit('error', e);
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (host === this) host = null;
      for (const resolve of this.unloads.values()) resolve();
      for (const mod of this.modules.values()) mod.exited(code);
      this.modules.clear();
    });
  }

  load(url: URL, workerData: unknown, name: string): HostedModule {
    const { port1, port2 } = new MessageChannel();
    const mod = new HostedModule(this, this.nextId++, port1);
    this.modules.set(mod.id, mod);
    this.worker.postMessage({ type: 'load', id: mod.id, url: url.href, name, workerData, port: port2 }, [port2]);
    return mod;
  }

  async unload(mod: HostedModule): Promise<void> {
    if (!this.modules.has(mod.id)) return;
    if (!this.exited) {
      const done = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        this.unloads.set(mod.id, () => {
          clearTimeout(t);
          resolve();
        });
      });
      this.worker.postMessage({ type: 'unload', id: mod.id });
      await done;
      this.unloads.delete(mod.id);
    }
    this.modules.delete(mod.id);
    mod.exited(0);
    if (this.modules.size === 0) {
      if (host === this) host = null;
      if (!this.exited) await this.worker.terminate();
    }
  }

  ref(): void {
    if (this.refs++ === 0) this.worker.ref();
  }

  unref(): void {
    if (this.refs > 0 && --this.refs === 0) this.worker.unref();
  }
}

let host: SystemHost | null = null;

/**
 * Loads a module that exports `hostedMain(port, workerData)` (see system-worker.ts) onto the
 * shared system thread, starting the thread if none runs.
 */
export function loadOnSystemThread(url: URL, workerData: unknown, name: string): ThreadHandle {
  host ??= new SystemHost();
  return host.load(url, workerData, name);
}

/** The system thread's Worker while one runs (diagnostics and tests: its tid, terminating it). */
export function systemThreadWorker(): Worker | null {
  return host?.worker ?? null;
}
