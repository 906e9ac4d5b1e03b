import { renameSync, rmSync, statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import cron from 'node-cron';
import type { JobsSection } from '../site/sections/jobs.js';
import { inBlocks } from '../anomaly/block-mean.js';
import type { Detector } from '../anomaly/detector.js';
import type { StreamDetection } from './detection-plan.js';
import { SampleRing, type SampleRingShared } from './ring-buffer.js';
import { postWorkerEvent, serveWorker, type HostPort } from './worker-host.js';

/**
 * The jobs: node-cron runs the site's scheduled maintenance here, never on the control thread
 * (on the shared system thread, see system-thread.ts, or on a worker of its own). Jobs read the control thread's ring buffers and lamp indications through shared
 * memory and report back as events; the only thing they hand back to apply is data (new
 * per-stream alert thresholds).
 */
export interface JobsWorkerData {
  readonly jobs: JobsSection;
  /** `detection`: how the stream is watched online (detection-plan.ts), null for none: the refit replays that. */
  readonly streams: { readonly name: string; readonly unit: string; readonly ring: SampleRingShared; readonly detection: StreamDetection | null }[];
  /** Heads with a current sensor: the stream carrying that head's lamp current. */
  readonly lamps: { readonly phase: number; readonly currentStream: string }[];
  /** Uint8Array by phase number: 1 red, 2 yellow, 3 green (see status/snapshot INDICATION_CODE). */
  readonly indications: SharedArrayBuffer;
  readonly eventLog: string | null;
  /** Module exporting `createDetector(name, params)` for the refit replay. */
  readonly detectorModule: string;
}

export type JobName = 'detector_refit' | 'log_rotation' | 'lamp_self_test' | 'clock_sanity';
export interface JobResult {
  readonly job: JobName;
  readonly ok: boolean;
  readonly message: string;
  readonly details?: unknown;
}

function median(xs: Float64Array, n: number): number {
  const a = Array.from(xs.subarray(0, n)).sort((x, y) => x - y);
  return n === 0 ? NaN : n % 2 ? a[(n - 1) / 2]! : (a[n / 2 - 1]! + a[n / 2]!) / 2;
}

/**
 * Starts the jobs for one cabinet on `port`: schedules the enabled ones and serves `run` and
 * `stop` requests. Returns the stop hook (cron tasks stopped).
 */
export function hostedMain(port: HostPort, data: JobsWorkerData): () => number {
  const rings = data.streams.map((s) => ({ ...s, r: SampleRing.attach(s.ring) }));
  const indications = new Uint8Array(data.indications);

  /**
   * Replays each watched stream's history through a fresh detector configured as the online
   * one (detector, params, block means) and proposes an alert threshold above what the day's
   * normal data reached, never below the stream's configured one.
   */
  async function detectorRefit(): Promise<JobResult> {
    const watched = rings.filter((s) => s.detection);
    if (watched.length === 0) return { job: 'detector_refit', ok: true, message: 'no stream has a detector; nothing to refit' };
    const mod = (await import(data.detectorModule)) as { createDetector: (name: string, params?: Record<string, number>) => Detector };
    const thresholds: { stream: string; detector: string; samples: number; block: number; threshold: number }[] = [];
    for (const s of watched) {
      const plan = s.detection!;
      const n = s.r.length;
      if (n < 32) continue;
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      const k = s.r.copyLast(n, t, v);
      const d = inBlocks(mod.createDetector(plan.detector, plan.params), plan.block);
      const scores = new Float64Array(k);
      for (let i = 0; i < k; i++) {
        scores[i] = d.update(t[i]!, v[i]!);
        // The status server shares this thread: let it answer between chunks of the replay.
        if ((i & 8191) === 8191) await new Promise<void>((r) => setImmediate(r));
      }
      // Skip the warm-up third, then alert only above what the day's normal data reached.
      const warm = Math.floor(k / 3);
      const tail = Array.from(scores.subarray(warm)).sort((a, b) => a - b);
      const q = tail[Math.min(tail.length - 1, Math.floor(tail.length * 0.999))] ?? 0;
      thresholds.push({ stream: s.name, detector: plan.detector, samples: k, block: plan.block, threshold: Math.min(0.999, Math.max(plan.threshold, q)) });
    }
    return { job: 'detector_refit', ok: true, message: `refit ${thresholds.length} stream(s) on their history`, details: { thresholds } };
  }

  function logRotation(): JobResult {
    const cfg = data.jobs.log_rotation;
    const path = data.eventLog;
    if (!path) return { job: 'log_rotation', ok: true, message: 'no event log' };
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      return { job: 'log_rotation', ok: true, message: 'event log not written yet' };
    }
    if (size < cfg.max_mb * 1024 * 1024) return { job: 'log_rotation', ok: true, message: `event log ${(size / 1048576).toFixed(2)} MB, below ${cfg.max_mb} MB` };
    rmSync(`${path}.${cfg.keep}`, { force: true });
    for (let i = cfg.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch {
        /* that generation does not exist yet */
      }
    }
    renameSync(path, `${path}.1`);
    return { job: 'log_rotation', ok: true, message: `rotated event log (${(size / 1048576).toFixed(2)} MB)` };
  }

  function lampSelfTest(): JobResult {
    const cfg = data.jobs.lamp_self_test;
    const problems: string[] = [];
    const checked: { phase: number; current_a: number; median_a: number }[] = [];
    for (const lamp of data.lamps) {
      const s = rings.find((x) => x.name === lamp.currentStream);
      if (!s) {
        problems.push(`phase ${lamp.phase}: current stream ${lamp.currentStream} missing`);
        continue;
      }
      const lit = indications[lamp.phase] ?? 0;
      if (lit === 0) continue; // head dark (flash off phase): nothing to measure
      const n = s.r.length;
      if (n < 8) continue;
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      const k = s.r.copyLast(n, t, v);
      const recent = median(v.subarray(k - Math.min(k, 10)), Math.min(k, 10));
      const usual = median(v, k);
      checked.push({ phase: lamp.phase, current_a: recent, median_a: usual });
      if (recent < cfg.min_current_a) problems.push(`phase ${lamp.phase}: lamp out (${recent.toFixed(3)} A < ${cfg.min_current_a} A)`);
      else if (recent < usual * cfg.degraded_fraction) problems.push(`phase ${lamp.phase}: lamp degrading (${recent.toFixed(3)} A, usual ${usual.toFixed(3)} A)`);
    }
    return { job: 'lamp_self_test', ok: problems.length === 0, message: problems.length ? problems.join('; ') : `${checked.length} head(s) draw normal current`, details: { checked } };
  }

  let lastWallMinusMono: number | null = null;
  function clockSanity(): JobResult {
    const cfg = data.jobs.clock_sanity;
    const wall = Date.now();
    const mono = performance.timeOrigin + performance.now();
    const problems: string[] = [];
    if (wall < Date.parse(cfg.not_before)) problems.push(`wall clock ${new Date(wall).toISOString()} is before ${cfg.not_before}: no RTC and no NTP yet?`);
    const diff = wall - mono;
    if (lastWallMinusMono !== null && Math.abs(diff - lastWallMinusMono) > cfg.max_step_s * 1000) {
      problems.push(`wall clock stepped ${((diff - lastWallMinusMono) / 1000).toFixed(1)} s against the monotonic clock`);
    }
    lastWallMinusMono = diff;
    return { job: 'clock_sanity', ok: problems.length === 0, message: problems.length ? problems.join('; ') : 'wall clock consistent' };
  }

  const JOBS: Record<JobName, () => JobResult | Promise<JobResult>> = {
    detector_refit: detectorRefit,
    log_rotation: logRotation,
    lamp_self_test: lampSelfTest,
    clock_sanity: clockSanity,
  };

  async function run(job: JobName): Promise<JobResult> {
    const fn = JOBS[job];
    if (!fn) throw new Error(`unknown job "${job}"; known: ${Object.keys(JOBS).join(', ')}`);
    try {
      return await fn();
    } catch (err) {
      return { job, ok: false, message: `job failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  const tasks: { stop(): unknown }[] = [];
  for (const job of Object.keys(JOBS) as JobName[]) {
    const cfg = data.jobs[job];
    if (!cfg.enabled) continue;
    tasks.push(
      cron.schedule(cfg.cron, async () => postWorkerEvent(await run(job), port), {
        name: job,
        ...(data.jobs.timezone ? { timezone: data.jobs.timezone } : {}),
      }),
    );
  }

  const stopAll = (): number => {
    for (const t of tasks) t.stop();
    return tasks.length;
  };
  serveWorker('jobs', { run: (job: JobName) => run(job), stop: stopAll }, port);
  return stopAll;
}

// Started as a worker of its own (not loaded onto the system thread).
if (parentPort && (workerData as Partial<JobsWorkerData> | undefined)?.jobs) hostedMain(parentPort, workerData as JobsWorkerData);
