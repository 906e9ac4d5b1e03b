import type { UplinkPart } from './parts.js';
import type { UplinkWorkerData } from './uplink-worker.js';
import { WorkerClient } from './worker-client.js';

interface Stats {
  connected: boolean;
  backlog: number;
  uplinked_bytes: number;
}

/** The control thread's side of the uplink (hosted on the shared system thread), as an UplinkPart. */
export class UplinkThread implements UplinkPart {
  private last: Stats = { connected: false, backlog: 0, uplinked_bytes: 0 };
  private timer: NodeJS.Timeout | undefined;
  lost = 0;

  constructor(readonly client: WorkerClient) {}

  static start(data: UplinkWorkerData): UplinkThread {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const t = new UplinkThread(new WorkerClient('uplink', new URL(`./uplink-worker${ext}`, import.meta.url), data, 10_000));
    t.timer = setInterval(() => void t.refresh(), 1000);
    t.timer.unref();
    return t;
  }

  private async refresh(): Promise<void> {
    try {
      this.last = await this.client.request<Stats>('stats', null, { timeoutMs: 2000 });
    } catch {
      /* keep the last stats; the thread may be busy reconnecting */
    }
  }

  publish(event: Record<string, unknown>): void {
    // No timeout: the worker writes it to the durable outbox whenever it gets to it.
    this.client.request('alert', event, { timeoutMs: 0 }).catch(() => this.lost++);
  }

  stats(): { configured: boolean; connected: boolean; backlog: number; uplinkedBytes: number } {
    return { configured: true, connected: this.last.connected, backlog: this.last.backlog, uplinkedBytes: this.last.uplinked_bytes };
  }

  async close(drainMs: number): Promise<void> {
    clearInterval(this.timer);
    try {
      this.last = await this.client.request<Stats>('close', { drainMs }, { timeoutMs: drainMs + 5000 });
    } catch {
      /* what was not sent stays in the outbox on disk */
    }
  }
}
