/**
 * Isolation Forest ⇄ ONNX, encoded the way skl2onnx encodes scikit-learn's IsolationForest:
 * one standard `ai.onnx.ml` TreeEnsembleRegressor whose leaf weights are the path lengths
 * (depth + c(n_leaf)), aggregated with SUM, then plain ONNX arithmetic for the normalisation:
 *
 *   X ─► TreeEnsembleRegressor(SUM) ─► Σh ─► Div(T·c(ψ)) ─► Neg ─► Pow(2, ·) ─► score
 *                                                                score ─► Neg ─► Sub(offset) ─► decision_function
 *
 * So any ONNX runtime gives the same `score` (2^(−E(h)/c(ψ))) and sklearn-style
 * `decision_function` as the native walk. Parity: the runtime casts X to float32 and compares
 * against float32 thresholds with BRANCH_LEQ; the native forest does exactly that
 * (Math.fround(x) ≤ float32 threshold, see forest.ts), so both take identical branches and
 * differ only by float32 rounding of the sum and the Pow (≈1e-7).
 */
import { attrFloats, attrInt, attrInts, attrString, attrStrings, metadataOf, model, node, tensor, valueInfo, attrValue } from '../../../models/onnx/builder.js';
import { DataType, type ModelProto } from '../../../models/onnx/proto.js';
import { IsolationForest } from './forest.js';

export interface ForestExportOptions {
  /** Feature (column) names, stored in the model metadata so `models score` can pick CSV columns. */
  featureNames?: string[];
  /** Extra metadata entries (training data description, command). */
  metadata?: Record<string, string>;
}

export function forestToOnnx(forest: IsolationForest, opts: ForestExportOptions = {}): ModelProto {
  if (!forest.fitted) throw new Error('forestToOnnx: the forest is not fitted');
  if (forest.psi < 2) throw new Error('forestToOnnx: a forest grown on one row has nothing to export (every score is 0.5)');
  const nCols = forest.nCols;
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tWeight: number[] = [];
  for (let t = 0; t < forest.trees; t++) {
    const base = forest.roots[t]!;
    const end = forest.roots[t + 1]!;
    for (let n = base; n < end; n++) {
      const f = forest.feature[n]!;
      treeIds.push(t);
      nodeIds.push(n - base);
      if (f >= 0) {
        featureIds.push(f);
        modes.push('BRANCH_LEQ');
        values.push(forest.threshold[n]!);
        trueIds.push(forest.left[n]! - base);
        falseIds.push(forest.right[n]! - base);
      } else {
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        tTree.push(t);
        tNode.push(n - base);
        tWeight.push(forest.leafValue[n]!);
      }
    }
  }
  const ensemble = node(
    'TreeEnsembleRegressor',
    ['X'],
    ['path_sum'],
    [
      attrInt('n_targets', 1),
      attrString('aggregate_function', 'SUM'),
      attrString('post_transform', 'NONE'),
      attrInts('nodes_treeids', treeIds),
      attrInts('nodes_nodeids', nodeIds),
      attrInts('nodes_featureids', featureIds),
      attrStrings('nodes_modes', modes),
      attrFloats('nodes_values', values),
      attrInts('nodes_truenodeids', trueIds),
      attrInts('nodes_falsenodeids', falseIds),
      attrInts('target_treeids', tTree),
      attrInts('target_nodeids', tNode),
      attrInts('target_ids', new Array<number>(tTree.length).fill(0)),
      attrFloats('target_weights', tWeight),
    ],
    'ai.onnx.ml',
  );
  const graph = {
    name: 'isolation_forest',
    node: [
      ensemble,
      node('Div', ['path_sum', 'norm'], ['path_ratio']),
      node('Neg', ['path_ratio'], ['neg_ratio']),
      node('Pow', ['two', 'neg_ratio'], ['score']),
      node('Neg', ['score'], ['score_samples']),
      node('Sub', ['score_samples', 'offset'], ['decision_function']),
    ],
    initializer: [
      tensor('norm', [], new Float32Array([forest.trees * forest.normaliser])),
      tensor('two', [], new Float32Array([2])),
      tensor('offset', [], new Float32Array([forest.offset])),
    ],
    input: [valueInfo('X', DataType.FLOAT, ['N', nCols])],
    output: [valueInfo('score', DataType.FLOAT, ['N', 1]), valueInfo('decision_function', DataType.FLOAT, ['N', 1])],
  };
  const featureNames = opts.featureNames ?? Array.from({ length: nCols }, (_, i) => `x${i}`);
  if (featureNames.length !== nCols) throw new Error(`forestToOnnx: ${featureNames.length} feature names for ${nCols} columns`);
  return model(graph, {
    ml: true,
    doc: 'Isolation Forest (Liu et al. 2008, scikit-learn semantics): score = 2^(-E(h)/c(psi)), decision_function = -score - offset',
    metadata: {
      kind: 'iforest',
      trees: String(forest.trees),
      max_samples: String(forest.maxSamples),
      psi: String(forest.psi),
      seed: String(forest.seed),
      contamination: forest.contamination === null ? 'auto' : String(forest.contamination),
      offset: String(forest.offset),
      feature_names: JSON.stringify(featureNames),
      output_columns: JSON.stringify({ score: ['anomaly_score'], decision_function: ['decision_function'] }),
      ...opts.metadata,
    },
  });
}

/**
 * Rebuilds a native forest from an exported model (trees, thresholds, leaf path lengths as
 * stored — float32), so a shipped .onnx file can be scored without onnxruntime and compared
 * with it. Needs the metadata forestToOnnx writes (trees, psi, offset).
 */
export function forestFromOnnx(m: ModelProto): IsolationForest {
  const meta = metadataOf(m);
  if (meta.kind !== 'iforest') throw new Error(`not an iforest model (metadata kind ${meta.kind ?? 'missing'})`);
  const ens = m.graph.node.find((n) => n.opType === 'TreeEnsembleRegressor');
  if (!ens) throw new Error('iforest model has no TreeEnsembleRegressor node');
  const a = new Map((ens.attribute ?? []).map((x) => [x.name, attrValue(x)]));
  const num = (k: string) => (a.get(k) ?? []) as number[];
  const treeIds = num('nodes_treeids');
  const nodeIds = num('nodes_nodeids');
  const featureIds = num('nodes_featureids');
  const modes = (a.get('nodes_modes') ?? []) as string[];
  const values = num('nodes_values');
  const trueIds = num('nodes_truenodeids');
  const falseIds = num('nodes_falsenodeids');
  const trees = Number(meta.trees);
  const json = {
    kind: 'iforest' as const,
    version: 1 as const,
    trees,
    maxSamples: Number(meta.max_samples),
    seed: Number(meta.seed),
    contamination: meta.contamination === 'auto' || meta.contamination === undefined ? null : Number(meta.contamination),
    nCols: Number(m.graph.input[0]?.type?.tensorType?.shape?.dim?.[1]?.dimValue),
    psi: Number(meta.psi),
    offset: Number(meta.offset),
    roots: new Array<number>(trees + 1).fill(0),
    feature: [] as number[],
    threshold: [] as number[],
    left: [] as number[],
    right: [] as number[],
    leafValue: [] as number[],
    nodeSamples: [] as number[],
  };
  // nodes are grouped by tree, in node-id order (as forestToOnnx writes them)
  const base = new Array<number>(trees).fill(-1);
  for (let k = 0; k < treeIds.length; k++) {
    const t = treeIds[k]!;
    if (base[t] === -1) base[t] = k;
    if (k - base[t]! !== nodeIds[k]) throw new Error('iforest model: nodes are not in tree/node-id order');
    const leaf = modes[k] === 'LEAF';
    json.feature.push(leaf ? -1 : featureIds[k]!);
    json.threshold.push(leaf ? 0 : values[k]!);
    json.left.push(leaf ? -1 : base[t]! + trueIds[k]!);
    json.right.push(leaf ? -1 : base[t]! + falseIds[k]!);
    json.leafValue.push(0);
    json.nodeSamples.push(0);
  }
  for (let t = 0; t < trees; t++) json.roots[t] = base[t]!;
  json.roots[trees] = treeIds.length;
  const tTree = num('target_treeids');
  const tNode = num('target_nodeids');
  const tWeight = num('target_weights');
  for (let k = 0; k < tTree.length; k++) json.leafValue[base[tTree[k]!]! + tNode[k]!] = tWeight[k]!;
  return IsolationForest.fromJSON(json);
}
