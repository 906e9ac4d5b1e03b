import { parentPort, workerData } from 'node:worker_threads';
import type { Site } from '../site/schema.js';
import type { UplinkOverrides } from '../uplink/options.js';
import { SampleRing, type SampleRingShared } from './ring-buffer.js';
import { takeMaxScore } from './sensor-pipeline.js';
import { postWorkerEvent, serveWorker, type HostPort } from './worker-host.js';
import type { CommandHandlers } from '../uplink/commands.js';

/**
 * The uplink: MQTT, Fernet encryption and the SQLite outbox (firmware/uplink) run here, on the
 * shared system thread (system-thread.ts) or a worker of its own,
 * off the control thread. Telemetry is read straight from the control thread's ring buffers in
 * shared memory once a second (nothing is posted per sample); alerts and faults arrive as
 * messages and go to the durable outbox at once.
 *
 * Remote commands that pass the uplink's checks (key, freshness, replay window, allow-list)
 * are forwarded to the control thread as worker events and carried out there
 * (runtime-commands.ts); the result comes back as a `command-result` request. The wait is
 * bounded (`COMMAND_TIMEOUT_MS`, longer for retrain): a busy control thread gets an error ack,
 * and its late answer is dropped.
 */
export interface UplinkWorkerData {
  readonly site: Site;
  readonly overrides: UplinkOverrides;
  readonly siteDir: string;
  readonly streams: { readonly name: string; readonly ring: SampleRingShared }[];
  /** The pipeline's max-score slots (sensor-pipeline.ts `maxScores`), one per stream, same order. */
  readonly scores?: SharedArrayBuffer;
  /** Forward remote commands to the control thread (false: answered "not supported"). */
  readonly commands?: boolean;
}

export const COMMAND_TIMEOUT_MS = 5000;
export const RETRAIN_TIMEOUT_MS = 35_000;


type CommandReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * Starts the uplink for one cabinet on `port` (the shared system thread's port for this
 * module, or the parentPort of a worker of its own) and serves its requests. Returns the stop
 * hook: the telemetry timer stopped and the connection closed (the outbox stays on disk).
 */
export async function hostedMain(port: HostPort, data: UplinkWorkerData): Promise<() => Promise<void>> {
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextCommand = 1;
  const forward =
    (cmd: string, timeoutMs: number) =>
    (args: Record<string, unknown>): Promise<never> =>
      new Promise((resolve, reject) => {
        const id = nextCommand++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${cmd}: the control thread did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        postWorkerEvent({ command: { id, cmd, args } }, port);
      });

  const { buildUplinkOptions } = await import('../uplink/options.js');
  const { Uplink } = await import('../uplink/uplink.js');
  const opts = await buildUplinkOptions(data.site, data.overrides, data.siteDir);
  if (!opts) throw new Error('uplink worker started without an uplink configured');
  const handlers: CommandHandlers =
    data.commands === false
      ? {}
      : {
          'get-state': forward('get-state', COMMAND_TIMEOUT_MS),
          'set-plan': forward('set-plan', COMMAND_TIMEOUT_MS),
          'reset-monitor': forward('reset-monitor', COMMAND_TIMEOUT_MS),
          retrain: forward('retrain', RETRAIN_TIMEOUT_MS),
        };
  const up = await Uplink.open({ ...opts, handlers });
  const rings = data.streams.map((s) => ({ name: s.name, ring: SampleRing.attach(s.ring), seen: 0 }));
  const scoreSlots = data.scores ? new Int32Array(data.scores) : null;
  // A score taken before its sample was visible in the ring waits here for the next sample.
  const pendingScore = new Float64Array(rings.length).fill(Number.NaN);

  function collect(): void {
    rings.forEach((r, k) => {
      const total = r.ring.total;
      // Samples pushed since the last look, limited to what the ring still holds.
      const fresh = Math.min(total - r.seen, r.ring.length);
      const start = r.ring.length - fresh;
      const end = r.ring.length;
      // The summary keeps the highest score of the interval: the detector's highest since the last look rides on the last sample.
      if (scoreSlots) {
        const taken = takeMaxScore(scoreSlots, k);
        if (taken > pendingScore[k]! || Number.isNaN(pendingScore[k]!)) pendingScore[k] = taken;
      }
      const score = fresh > 0 ? pendingScore[k]! : Number.NaN;
      if (fresh > 0) pendingScore[k] = Number.NaN;
      for (let i = start; i < end; i++) up.addSample(r.name, r.ring.timeAt(i), r.ring.valueAt(i), i === end - 1 ? score : Number.NaN);
      r.seen = total;
    });
  }
  const timer = setInterval(collect, 1000);
  let closed = false;

  serveWorker(
    'uplink',
    {
      alert: (fields: Record<string, unknown>) => up.publishAlert(fields),
      stats: () => up.stats(),
      'command-result': (r: CommandReply) => {
        const w = waiting.get(r.id);
        if (!w) return false; // answered after its timeout: the ack already went out
        waiting.delete(r.id);
        clearTimeout(w.timer);
        if (r.ok) w.resolve(r.result);
        else w.reject(new Error(r.error));
        return true;
      },
      close: async (p: { drainMs: number }) => {
        clearInterval(timer);
        if (!closed) {
          closed = true;
          collect();
          await up.close({ drainMs: p.drainMs });
        }
        return up.stats();
      },
    },
    port,
  );
  return async () => {
    clearInterval(timer);
    for (const w of waiting.values()) clearTimeout(w.timer);
    if (!closed) {
      closed = true;
      await up.close({ drainMs: 0 });
    }
  };
}

// Started as a worker of its own (not loaded onto the system thread).
if (parentPort && (workerData as Partial<UplinkWorkerData> | undefined)?.site) void hostedMain(parentPort, workerData as UplinkWorkerData);
