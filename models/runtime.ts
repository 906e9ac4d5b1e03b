/**
 * The onnxruntime-node edge: loaded lazily (it is a native module of ~20 MB) and wrapped in
 * two calls, so the rest of wayside never touches ORT types. One intra-op thread by default:
 * a cabinet runs several jobs on 2–4 cores, and single-row latency does not gain from more.
 */
import type { InferenceSession } from 'onnxruntime-node';

export type OrtSession = InferenceSession;

type Ort = typeof import('onnxruntime-node');
let ortModule: Ort | undefined;

async function ort(): Promise<Ort> {
  return (ortModule ??= await import('onnxruntime-node'));
}

export async function createSession(bytes: Uint8Array, threads = 1): Promise<OrtSession> {
  const { InferenceSession } = await ort();
  return InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

/** Runs a session on one float32 input [nRows, nCols]; returns each output's float data by name. */
export async function runFloat(session: OrtSession, data: Float32Array, nRows: number, nCols: number): Promise<Record<string, Float32Array>> {
  const { Tensor } = ortModule ?? (await ort());
  const inputName = session.inputNames[0]!;
  const out = await session.run({ [inputName]: new Tensor('float32', data, [nRows, nCols]) });
  const result: Record<string, Float32Array> = {};
  for (const name of session.outputNames) result[name] = out[name]!.data as Float32Array;
  return result;
}
