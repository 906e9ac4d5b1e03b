import { workerData } from 'node:worker_threads';
import { serveWorker } from './worker-host.js';

/**
 * The inference thread: onnxruntime sessions for the shipped models, off the control thread.
 * A slow or stuck inference here delays nothing but the next model score (see WorkerClient).
 */
export interface InferenceWorkerData {
  /** Models (manifest names) to load at start. */
  readonly models: readonly string[];
}

const data = workerData as InferenceWorkerData;
const { loadModel } = await import('../../models/loader.js');
const { runFloat } = await import('../../models/runtime.js');
const sessions = new Map<string, Awaited<ReturnType<typeof loadModel>>>();
for (const name of data.models) sessions.set(name, await loadModel(name, { threads: 1 }));

serveWorker('inference', {
  /** Scores rows: { model, data (Float32Array, row-major), rows, cols } → the first output. */
  score: async (p: { model: string; data: Float32Array; rows: number; cols: number }) => {
    const m = sessions.get(p.model);
    if (!m) throw new Error(`model "${p.model}" not loaded; loaded: ${[...sessions.keys()].join(', ')}`);
    const out = await runFloat(m.session, p.data, p.rows, p.cols);
    return out[m.session.outputNames[0]!];
  },
  models: () => [...sessions.values()].map((m) => ({ name: m.entry.name, inputs: m.entry.inputs })),
});
