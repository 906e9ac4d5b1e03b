import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { heldOutMae } from '../../models/forecaster/evaluate.js';
import { trainForecaster } from '../../models/forecaster/train.js';
import { MODELS_DIR } from '../../models/loader.js';
import { tensorValues } from '../../models/onnx/builder.js';
import { describeModel } from '../../models/onnx/describe.js';
import { DataType, decodeModel, encodeModel } from '../../models/onnx/proto.js';
import { quantizeWeightsInt8 } from '../../models/onnx/quantize.js';
import { createSession, runFloat } from '../../models/runtime.js';

describe('int8 quantization of the flow forecaster', () => {
  const fp32 = new Uint8Array(readFileSync(join(MODELS_DIR, 'flow-forecaster.onnx')));
  const int8 = new Uint8Array(readFileSync(join(MODELS_DIR, 'flow-forecaster.int8.onnx')));

  it('the shipped int8 model is ≥ 70 % smaller and its held-out MAE within 2 % of fp32', async () => {
    const reduction = 1 - int8.length / fp32.length;
    assert.ok(reduction >= 0.7, `size reduction ${(100 * reduction).toFixed(1)} %`);
    const a = await heldOutMae(fp32);
    const b = await heldOutMae(int8);
    assert.ok(a.rows > 1000);
    assert.ok(b.mae <= a.mae * 1.02, `MAE fp32 ${a.mae}, int8 ${b.mae}`);
  });

  it('stores every MatMul weight as int8 behind a per-channel DequantizeLinear', () => {
    const d = describeModel(int8);
    assert.equal(d.nodeCounts.DequantizeLinear, d.nodeCounts.MatMul);
    const m = decodeModel(int8);
    for (const n of m.graph.node.filter((x) => x.opType === 'MatMul')) {
      const dq = m.graph.node.find((x) => x.output[0] === n.input[1]);
      assert.equal(dq?.opType, 'DequantizeLinear', `${n.name} weight comes from a DequantizeLinear`);
      const w = m.graph.initializer!.find((t) => t.name === dq!.input[0])!;
      assert.equal(w.dataType, DataType.INT8);
      const scale = m.graph.initializer!.find((t) => t.name === dq!.input[1])!;
      assert.equal(scale.dims!.length, 1, 'one scale per output channel');
      assert.equal(Number(scale.dims![0]), Number(w.dims![1]));
    }
    assert.ok(!m.graph.initializer!.some((t) => t.dataType === DataType.FLOAT && (t.dims ?? []).length === 2), 'no fp32 weight matrix left');
  });

  it('dequantized weights are within half a step of the fp32 ones, and a fresh model quantizes the same way', async () => {
    const fc = trainForecaster({ days: 8, heldOutDays: 2, epochs: 1, hidden: [16], seed: 3 });
    const { model, report } = quantizeWeightsInt8(decodeModel(fc.bytes));
    assert.deepEqual(
      report.quantized.map((q) => q.name),
      ['W0', 'W1'],
    );
    for (const q of report.quantized) {
      const scale = tensorValues(model.graph.initializer!.find((t) => t.name === `${q.name}_scale`)!) as Float32Array;
      assert.ok(q.maxAbsError <= Math.max(...scale) / 2 + 1e-7, `${q.name}: ${q.maxAbsError}`);
    }
    // both copies run on onnxruntime and give close forecasts
    const rows = 5;
    const x = new Float32Array(rows * fc.mlp.nIn).map((_, i) => (i % 19) * 3);
    const a = await runFloat(await createSession(fc.bytes), x, rows, fc.mlp.nIn);
    const b = await runFloat(await createSession(encodeModel(model)), x, rows, fc.mlp.nIn);
    for (let i = 0; i < a.y!.length; i++) assert.ok(Math.abs(a.y![i]! - b.y![i]!) < 0.05 * Math.max(1, Math.abs(a.y![i]!)), `y[${i}] ${a.y![i]} vs ${b.y![i]}`);
  });

  it('the fp32 forecaster on onnxruntime matches the TypeScript network', async () => {
    const fc = trainForecaster({ days: 8, heldOutDays: 2, epochs: 1, hidden: [16, 8], seed: 4 });
    const rows = 20;
    const x = new Float64Array(rows * fc.mlp.nIn).map((_, i) => ((i * 7) % 23) * 2.5);
    const native = fc.mlp.predict(x, rows);
    const session = await createSession(fc.bytes);
    const out = await runFloat(session, Float32Array.from(x), rows, fc.mlp.nIn);
    for (let i = 0; i < native.length; i++) assert.ok(Math.abs(native[i]! - out.y![i]!) < 1e-3, `y[${i}] ${native[i]} vs ${out.y![i]}`);
  });
});

describe('FlowForecaster (runtime wrapper for the strategies)', () => {
  it('loads the shipped int8 model and forecasts a rush-hour interval above a night one', async () => {
    const { FlowForecaster } = await import('../../models/forecaster/flow-forecaster.js');
    const fc = await FlowForecaster.load();
    assert.equal(fc.approaches, 4);
    assert.equal(fc.lags, 4);
    const rush = await fc.forecast((_k, a) => (a < 2 ? 200 : 90), 8 * 60 + 7.5, false);
    const night = await fc.forecast(() => 5, 3 * 60 + 7.5, false);
    assert.equal(rush.length, 4);
    for (let a = 0; a < 4; a++) assert.ok(rush[a]! > night[a]! + 20, `approach ${a}: rush ${rush[a]}, night ${night[a]}`);
    for (let a = 0; a < 4; a++) assert.ok(night[a]! >= 0 && night[a]! < 30, `approach ${a}: night ${night[a]}`);
    await fc.release();
  });
});
