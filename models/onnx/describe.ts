/**
 * What `wayside models info` and the manifest say about an ONNX file: its inputs and outputs
 * (type and shape, with the symbolic batch dimension as a string), opsets, node counts per
 * operator, size and sha256.
 */
import { createHash } from 'node:crypto';
import { metadataOf } from './builder.js';
import { decodeModel, type ValueInfoProto } from './proto.js';

const ELEM_TYPES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };

export interface TensorDescription {
  name: string;
  type: string;
  shape: (number | string)[];
}

export interface ModelDescription {
  bytes: number;
  sha256: string;
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  nodes: number;
  nodeCounts: Record<string, number>;
  initializers: number;
  initializerTypes: Record<string, number>;
  metadata: Record<string, string>;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describeValue(v: ValueInfoProto): TensorDescription {
  const t = v.type?.tensorType;
  return {
    name: v.name,
    type: ELEM_TYPES[t?.elemType ?? 0] ?? `type ${t?.elemType}`,
    shape: (t?.shape?.dim ?? []).map((d) => (d.dimParam !== undefined && d.dimParam !== '' ? d.dimParam : Number(d.dimValue ?? 0))),
  };
}

export function describeModel(bytes: Uint8Array): ModelDescription {
  const m = decodeModel(bytes);
  const nodeCounts: Record<string, number> = {};
  for (const n of m.graph.node) {
    const key = n.domain ? `${n.domain}:${n.opType}` : n.opType;
    nodeCounts[key] = (nodeCounts[key] ?? 0) + 1;
  }
  const initializerTypes: Record<string, number> = {};
  for (const t of m.graph.initializer ?? []) {
    const key = ELEM_TYPES[t.dataType ?? 0] ?? String(t.dataType);
    initializerTypes[key] = (initializerTypes[key] ?? 0) + 1;
  }
  return {
    bytes: bytes.length,
    sha256: sha256(bytes),
    irVersion: Number(m.irVersion),
    producer: `${m.producerName ?? ''} ${m.producerVersion ?? ''}`.trim(),
    opsets: m.opsetImport.map((o) => ({ domain: o.domain || 'ai.onnx', version: Number(o.version) })),
    inputs: m.graph.input.map(describeValue),
    outputs: m.graph.output.map(describeValue),
    nodes: m.graph.node.length,
    nodeCounts,
    initializers: (m.graph.initializer ?? []).length,
    initializerTypes,
    metadata: metadataOf(m),
  };
}
