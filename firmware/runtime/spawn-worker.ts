import { Worker, type ResourceLimits, type WorkerOptions } from 'node:worker_threads';

/**
 * V8 heap limits per worker (by the worker's `name`), sized to need. Measured per thread on
 * the built runtime (VmRSS delta of starting that one worker, idle, after GC): an empty
 * worker costs ~10 MB whatever the limits, and most of the rest is code and native state
 * (fastify ~17 MB; onnxruntime ~12 MB to load and ~27 MB for its first session), so limits
 * only trim the heap part: a 1 MB young generation instead of 4 MB took ~2 MB off the
 * status thread and ~2 MB off the inference thread. Old-generation caps are headroom over the
 * measured live heap (status ~7 MB, inference ~5 MB), not targets; the jobs thread keeps 128 MB
 * because the detector refit replays a day's history in JS arrays.
 */
const LIMITS: Record<string, ResourceLimits> = {
  // The shared system thread (status server + cron jobs, system-thread.ts).
  system: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 128 },
  status: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 48 },
  inference: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 64 },
  jobs: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 128 },
  // MQTT + Fernet + SQLite once a second: little garbage; the old generation keeps room for a backlog.
  uplink: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 128 },
};
const DEFAULT_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

/**
 * Starts a worker from a module URL. Under tsx (development, tests, `npm start`) the module is
 * a .ts file and worker threads do not inherit tsx's loader hooks, so the worker first
 * registers tsx itself; from the built dist/ it is plain .js and loads directly.
 */
export function spawnWorker(url: URL, options: WorkerOptions = {}): Worker {
  // Small heaps: a worker's young generation otherwise grows to tens of MB of RSS each, and a
  // cabinet board has 1-4 GB for everything.
  const base = (options.name && LIMITS[options.name]) || DEFAULT_LIMITS;
  options = { ...options, resourceLimits: { ...base, ...options.resourceLimits } };
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
    return new Worker(boot, { ...options, eval: true });
  }
  return new Worker(url, options);
}
