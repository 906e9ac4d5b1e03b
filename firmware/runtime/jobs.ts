import type { JobName, JobResult, JobsWorkerData } from './jobs-worker.js';
import { WorkerClient } from './worker-client.js';

export type { JobName, JobResult, JobsWorkerData } from './jobs-worker.js';

/** Starts the jobs thread (node-cron + the maintenance jobs). */
export function startJobs(data: JobsWorkerData): WorkerClient {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new WorkerClient('jobs', new URL(`./jobs-worker${ext}`, import.meta.url), data, 60_000);
}

/** Runs one job now (tests, `--duration` runs that want a self-test at exit). */
export function runJob(client: WorkerClient, job: JobName): Promise<JobResult> {
  return client.request<JobResult>('run', job);
}
