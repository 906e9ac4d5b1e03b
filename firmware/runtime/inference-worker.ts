import { workerData } from 'node:worker_threads';
import { serveWorker } from './worker-host.js';

/**
 * The inference thread: onnxruntime sessions for the shipped models, off the control thread.
 * A slow or stuck inference here delays nothing but the next model score (see WorkerClient).
 */
export interface InferenceWorkerData {
  /** Models (manifest names) to load at start. */
  readonly models: readonly string[];
  /** Folder holding manifest.json and the .onnx files. */
  readonly modelsDir: string;
}

const data = workerData as InferenceWorkerData;
const { readVerifiedModel } = await import('../../models/loader.js');
const { runFloat } = await import('../../models/runtime.js');
const ort = await import('onnxruntime-node');
type Loaded = ReturnType<typeof readVerifiedModel> & { session: import('onnxruntime-node').InferenceSession };
const sessions = new Map<string, Loaded>();
for (const name of data.models) {
  // Hash-checked bytes (models/loader), then a lean session: one thread, no memory arena or
  // pattern planning (single-row scoring gains nothing from them and they cost RSS).
  const v = readVerifiedModel(name, { dir: data.modelsDir });
  const session = await ort.InferenceSession.create(v.bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    enableCpuMemArena: false,
    enableMemPattern: false,
    graphOptimizationLevel: 'all',
  });
  sessions.set(name, { ...v, session });
}

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
