/**
 * The flow forecaster as an fp32 ONNX graph (opset 17, standard operators only):
 *   x ─► Sub(x_mean) ─► Mul(1/x_std) ─► [MatMul(W) ─► Add(b) ─► Relu]… ─► MatMul ─► Add ─► Mul(y_std) ─► Add(y_mean) ─► y
 * Weights are MatMul initializers, which is what `models quantize` turns into int8.
 */
import { metadataOf, model, node, tensor, valueInfo } from '../onnx/builder.js';
import { DataType, type ModelProto } from '../onnx/proto.js';
import type { Mlp } from './mlp.js';

export interface ForecasterExportOptions {
  featureNames: string[];
  outputNames: string[];
  metadata?: Record<string, string>;
}

export function forecasterToOnnx(mlp: Mlp, opts: ForecasterExportOptions): ModelProto {
  const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
  const invStd = Float32Array.from(mlp.xStd, (s) => 1 / s);
  const nodes = [node('Sub', ['x', 'x_mean'], ['x_centred']), node('Mul', ['x_centred', 'x_inv_std'], ['h0'])];
  const inits = [tensor('x_mean', [mlp.nIn], f32(mlp.xMean)), tensor('x_inv_std', [mlp.nIn], invStd)];
  let h = 'h0';
  mlp.layers.forEach((layer, l) => {
    const last = l === mlp.layers.length - 1;
    inits.push(tensor(`W${l}`, [layer.nIn, layer.nOut], f32(layer.W)), tensor(`b${l}`, [layer.nOut], f32(layer.b)));
    nodes.push(node('MatMul', [h, `W${l}`], [`mm${l}`]), node('Add', [`mm${l}`, `b${l}`], [last ? 'y_std_units' : `z${l}`]));
    if (!last) {
      nodes.push(node('Relu', [`z${l}`], [`h${l + 1}`]));
      h = `h${l + 1}`;
    }
  });
  nodes.push(node('Mul', ['y_std_units', 'y_std'], ['y_centred']), node('Add', ['y_centred', 'y_mean'], ['y']));
  inits.push(tensor('y_std', [mlp.nOut], f32(mlp.yStd)), tensor('y_mean', [mlp.nOut], f32(mlp.yMean)));
  return model(
    { name: 'flow_forecaster', node: nodes, initializer: inits, input: [valueInfo('x', DataType.FLOAT, ['N', mlp.nIn])], output: [valueInfo('y', DataType.FLOAT, ['N', mlp.nOut])] },
    {
      doc: `Flow forecaster MLP ${mlp.sizes.join('-')}: next-interval detector counts per approach from recent counts and time of day`,
      metadata: {
        kind: 'forecaster',
        sizes: JSON.stringify(mlp.sizes),
        feature_names: JSON.stringify(opts.featureNames),
        output_columns: JSON.stringify({ y: opts.outputNames }),
        ...opts.metadata,
      },
    },
  );
}

export { metadataOf };
