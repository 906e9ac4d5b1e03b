/**
 * Regenerates the shipped models and models/manifest.json, deterministically (fixed seeds,
 * simulated data, no timestamps): `npm run models` = `wayside models build-shipped`.
 *   iforest-cabinet.onnx        Isolation Forest on simulated healthy cabinet telemetry
 *   flow-forecaster.onnx        fp32 MLP forecaster of next-interval counts
 *   flow-forecaster.int8.onnx   the same, weights quantized to int8 (QDQ)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsolationForest } from '../firmware/anomaly/iforest/forest.js';
import { forestToOnnx } from '../firmware/anomaly/iforest/onnx-export.js';
import { simulateCabinetTelemetry } from './cabinet/simulated-telemetry.js';
import { heldOutMae } from './forecaster/evaluate.js';
import { trainForecaster } from './forecaster/train.js';
import { writeManifest, type ManifestEntry } from './manifest.js';
import { describeModel } from './onnx/describe.js';
import { decodeModel, encodeModel } from './onnx/proto.js';
import { quantizeWeightsInt8 } from './onnx/quantize.js';
import { createSession, runFloat } from './runtime.js';

const CREATED_BY = 'wayside models build-shipped (npm run models)';

export const IFOREST_CABINET = { rows: 10080, seed: 1, trees: 100, maxSamples: 256, testRows: 2000, testSeed: 2 };

function entry(name: string, file: string, kind: ManifestEntry['kind'], bytes: Uint8Array, training: Record<string, unknown>, metrics: Record<string, number>): ManifestEntry {
  const d = describeModel(bytes);
  return { name, file, kind, sha256: d.sha256, bytes: d.bytes, opsets: d.opsets, inputs: d.inputs, outputs: d.outputs, training, metrics, createdBy: CREATED_BY };
}

/** Largest |ORT − native| anomaly score over `rows` rows. */
async function iforestParity(forest: IsolationForest, bytes: Uint8Array, X: Float64Array, rows: number): Promise<number> {
  const session = await createSession(bytes);
  const out = await runFloat(session, Float32Array.from(X), rows, forest.nCols);
  await session.release();
  let max = 0;
  for (let r = 0; r < rows; r++) max = Math.max(max, Math.abs(out.score![r]! - forest.score(X, r * forest.nCols)));
  return max;
}

export async function buildShipped(dir: string, log: (line: string) => void = () => {}): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];

  // Isolation Forest on a week of healthy cabinet telemetry, one row a minute
  const p = IFOREST_CABINET;
  const telemetry = simulateCabinetTelemetry(p.rows, p.seed);
  const forest = new IsolationForest({ trees: p.trees, maxSamples: p.maxSamples, seed: p.seed }).fit(telemetry.data, telemetry.rows, telemetry.columns.length);
  const training = {
    data: `simulated healthy cabinet telemetry (models/cabinet/simulated-telemetry.ts), ${p.rows} rows = 7 days at 1/min, seed ${p.seed}`,
    columns: telemetry.columns,
    trees: p.trees,
    maxSamples: p.maxSamples,
    seed: p.seed,
    contamination: 'auto',
  };
  const iforestBytes = encodeModel(forestToOnnx(forest, { featureNames: telemetry.columns, metadata: { training: JSON.stringify(training) } }));
  const test = simulateCabinetTelemetry(p.testRows, p.testSeed);
  const parity = await iforestParity(forest, iforestBytes, test.data, test.rows);
  writeFileSync(join(dir, 'iforest-cabinet.onnx'), iforestBytes);
  entries.push(entry('iforest-cabinet', 'iforest-cabinet.onnx', 'iforest', iforestBytes, training, { parityMaxAbsError: parity, nodes: forest.nodeCount }));
  log(`iforest-cabinet.onnx  ${iforestBytes.length} B, ${forest.nodeCount} nodes, ORT/native max |Δscore| ${parity.toExponential(2)}`);

  // Flow forecaster, fp32 then int8
  const fc = trainForecaster();
  const fpBytes = fc.bytes;
  const { model: q } = quantizeWeightsInt8(decodeModel(fpBytes));
  const q8Bytes = encodeModel(q);
  const fpMae = await heldOutMae(fpBytes);
  const q8Mae = await heldOutMae(q8Bytes);
  writeFileSync(join(dir, 'flow-forecaster.onnx'), fpBytes);
  writeFileSync(join(dir, 'flow-forecaster.int8.onnx'), q8Bytes);
  const reduction = 1 - q8Bytes.length / fpBytes.length;
  const fcTraining = { data: decodeModel(fpBytes).metadataProps?.find((m) => m.key === 'training_data')?.value, ...fc.training };
  entries.push(entry('flow-forecaster', 'flow-forecaster.onnx', 'forecaster', fpBytes, fcTraining, { maeHeldOut: fpMae.mae, maePersistence: fc.metrics.maePersistence, heldOutRows: fpMae.rows }));
  entries.push(
    entry('flow-forecaster.int8', 'flow-forecaster.int8.onnx', 'forecaster', q8Bytes, { ...fcTraining, quantization: 'int8 weights, per-channel symmetric, QDQ; from flow-forecaster.onnx by wayside models quantize' }, {
      maeHeldOut: q8Mae.mae,
      maeIncreaseVsFp32: q8Mae.mae / fpMae.mae - 1,
      sizeReductionVsFp32: reduction,
      heldOutRows: q8Mae.rows,
    }),
  );
  log(`flow-forecaster.onnx  ${fpBytes.length} B, held-out MAE ${fpMae.mae.toFixed(4)} (persistence ${fc.metrics.maePersistence.toFixed(4)})`);
  log(`flow-forecaster.int8.onnx  ${q8Bytes.length} B (−${(100 * reduction).toFixed(1)} %), held-out MAE ${q8Mae.mae.toFixed(4)} (${(100 * (q8Mae.mae / fpMae.mae - 1)).toFixed(2)} % vs fp32)`);

  writeManifest(dir, { version: 1, models: entries });
  return entries;
}
