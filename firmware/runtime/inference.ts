import type { InferenceWorkerData } from './inference-worker.js';
import { WorkerClient } from './worker-client.js';

/** Starts the inference thread with the given shipped models loaded. */
export function startInference(data: InferenceWorkerData, timeoutMs = 2000): WorkerClient {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new WorkerClient('inference', new URL(`./inference-worker${ext}`, import.meta.url), data, timeoutMs);
}
