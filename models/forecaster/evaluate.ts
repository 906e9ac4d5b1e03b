/**
 * Held-out MAE of a forecaster .onnx file run by onnxruntime: how fp32 and int8 copies are
 * compared. The held-out rows are re-simulated from the model's metadata, or taken from the
 * counts CSV the model was trained on.
 */
import { metadataOf } from '../onnx/builder.js';
import { decodeModel } from '../onnx/proto.js';
import { createSession, runFloat } from '../runtime.js';
import type { CountSeries } from './features.js';
import { heldOutFromMetadata } from './train.js';
import { meanAbsoluteError } from './mlp.js';

export async function heldOutMae(bytes: Uint8Array, series?: CountSeries): Promise<{ mae: number; rows: number }> {
  const meta = metadataOf(decodeModel(bytes));
  if (meta.kind !== 'forecaster') throw new Error(`not a forecaster model (metadata kind ${meta.kind ?? 'missing'})`);
  const test = heldOutFromMetadata(meta, series);
  const session = await createSession(bytes);
  const out = await runFloat(session, Float32Array.from(test.X), test.rows, test.nIn);
  await session.release();
  const y = out[session.outputNames[0]!]!;
  return { mae: meanAbsoluteError(y, test.Y), rows: test.rows };
}
