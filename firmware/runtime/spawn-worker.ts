import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a module URL. Under tsx (development, tests, `npm start`) the module is
 * a .ts file and worker threads do not inherit tsx's loader hooks, so the worker first
 * registers tsx itself; from the built dist/ it is plain .js and loads directly.
 */
export function spawnWorker(url: URL, options: WorkerOptions = {}): Worker {
  // Small heaps: a worker's young generation otherwise grows to tens of MB of RSS each, and a
  // cabinet board has 1-4 GB for everything.
  options = { ...options, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128, ...options.resourceLimits } };
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
    return new Worker(boot, { ...options, eval: true });
  }
  return new Worker(url, options);
}
