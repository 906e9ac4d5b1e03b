/**
 * Post-training int8 weight quantization of an ONNX graph, QDQ style: every MatMul whose
 * weight is a float32 2-D initializer gets the weight stored as int8 with a per-output-channel
 * scale (symmetric, zero point 0), and a DequantizeLinear(axis=1) in front of the MatMul:
 *
 *   W(float32 [K, M])  ⇒  W_q(int8 [K, M]) ─► DequantizeLinear(W_scale [M], axis 1) ─► MatMul
 *
 * Activations stay float32 (weight-only quantization): the file shrinks ~4× where weights
 * dominate and the accuracy cost is only the weight rounding (≤ scale/2 per weight). Any ONNX
 * runtime with opset ≥ 13 runs it; onnxruntime may fold or fuse the DequantizeLinear.
 */
import { tensor, tensorValues } from './builder.js';
import { DataType, type ModelProto, type NodeProto, type TensorProto } from './proto.js';

export interface QuantizeReport {
  quantized: { name: string; shape: [number, number]; maxAbsError: number }[];
  skipped: string[];
}

export function quantizeWeightsInt8(m: ModelProto): { model: ModelProto; report: QuantizeReport } {
  const onnxOpset = m.opsetImport.find((o) => !o.domain)?.version ?? 0;
  if (onnxOpset < 13) throw new Error(`per-channel DequantizeLinear needs opset ≥ 13, the model imports opset ${onnxOpset}`);
  const inits = new Map<string, TensorProto>((m.graph.initializer ?? []).map((t) => [t.name!, t]));
  const uses = new Map<string, number>();
  for (const n of m.graph.node) for (const i of n.input) uses.set(i, (uses.get(i) ?? 0) + 1);
  const report: QuantizeReport = { quantized: [], skipped: [] };
  const replaced = new Map<string, TensorProto[]>();
  const nodes: NodeProto[] = [];
  for (const n of m.graph.node) {
    const wName = n.opType === 'MatMul' ? n.input[1] : undefined;
    const w = wName ? inits.get(wName) : undefined;
    if (!w || !wName) {
      nodes.push(n);
      continue;
    }
    const dims = (w.dims ?? []).map(Number);
    if (w.dataType !== DataType.FLOAT || dims.length !== 2 || (uses.get(wName) ?? 0) > 1) {
      report.skipped.push(wName);
      nodes.push(n);
      continue;
    }
    const [K, M] = dims as [number, number];
    const values = tensorValues(w) as Float32Array;
    const q = new Int8Array(K * M);
    const scale = new Float32Array(M);
    let maxErr = 0;
    for (let j = 0; j < M; j++) {
      let amax = 0;
      for (let i = 0; i < K; i++) amax = Math.max(amax, Math.abs(values[i * M + j]!));
      // symmetric [-127, 127]: zero point 0, and −128 unused so the range is symmetric
      const s = Math.fround(amax > 0 ? amax / 127 : 1);
      scale[j] = s;
      for (let i = 0; i < K; i++) {
        const v = Math.max(-127, Math.min(127, Math.round(values[i * M + j]! / s)));
        q[i * M + j] = v;
        maxErr = Math.max(maxErr, Math.abs(v * s - values[i * M + j]!));
      }
    }
    // no zero-point tensor: omitted means 0, and the int8 type comes from W_q itself
    replaced.set(wName, [tensor(`${wName}_q`, [K, M], q), tensor(`${wName}_scale`, [M], scale)]);
    nodes.push({
      opType: 'DequantizeLinear',
      name: `DequantizeLinear_${wName}`,
      input: [`${wName}_q`, `${wName}_scale`],
      output: [`${wName}_dq`],
      attribute: [{ name: 'axis', type: 2, i: 1 }],
    });
    nodes.push({ ...n, input: [n.input[0]!, `${wName}_dq`, ...n.input.slice(2)] });
    report.quantized.push({ name: wName, shape: [K, M], maxAbsError: maxErr });
  }
  const initializer: TensorProto[] = [];
  for (const t of m.graph.initializer ?? []) initializer.push(...(replaced.get(t.name!) ?? [t]));
  const metadataProps = [...(m.metadataProps ?? []).filter((p) => p.key !== 'quantization'), { key: 'quantization', value: 'int8 weights, per-channel symmetric, QDQ (DequantizeLinear -> MatMul)' }];
  return { model: { ...m, graph: { ...m.graph, node: nodes, initializer }, metadataProps }, report };
}
