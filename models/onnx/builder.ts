/**
 * Small constructors for ONNX graph pieces: tensors (stored as little-endian raw_data),
 * typed attributes, nodes, value infos and the model envelope. Kept explicit (attrInt vs
 * attrFloat) because a JS number cannot tell ONNX which of the two it is.
 */
import { AttributeType, DataType, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.js';

const utf8 = new TextEncoder();

/** IR version 8 goes with opset 17 (the ONNX versioning table); ORT 1.30 reads it. */
export const IR_VERSION = 8;
export const OPSET_ONNX = 17;
export const OPSET_ML = 3;

export type TypedData = Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array | Float64Array;

function dataTypeOf(data: TypedData): number {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Int8Array) return DataType.INT8;
  if (data instanceof Uint8Array) return DataType.UINT8;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof BigInt64Array) return DataType.INT64;
  return DataType.DOUBLE;
}

/** A constant tensor (an initializer). Bytes are copied so the tensor owns them. */
export function tensor(name: string, dims: number[], data: TypedData): TensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`tensor ${name}: ${data.length} values for dims [${dims.join(',')}]`);
  const rawData = new Uint8Array(data.byteLength);
  rawData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return { name, dims, dataType: dataTypeOf(data), rawData };
}

/** Reads a tensor's values (raw_data or the typed repeated fields) as a typed array of its type. */
export function tensorValues(t: TensorProto): Float32Array | Int8Array | Uint8Array | Int32Array | Float64Array {
  const n = (t.dims ?? []).reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  // copy: a decoded Buffer's .buffer is Node's shared pool, not this tensor's bytes
  let copy: ArrayBuffer | null = null;
  if (raw) {
    const bytes = new Uint8Array(raw.byteLength);
    bytes.set(raw);
    copy = bytes.buffer;
  }
  switch (t.dataType) {
    case DataType.FLOAT:
      return copy ? new Float32Array(copy, 0, n) : Float32Array.from(t.floatData ?? []);
    case DataType.INT8:
      return copy ? new Int8Array(copy, 0, n) : Int8Array.from(t.int32Data ?? []);
    case DataType.UINT8:
      return copy ? new Uint8Array(copy, 0, n) : Uint8Array.from(t.int32Data ?? []);
    case DataType.INT32:
      return copy ? new Int32Array(copy, 0, n) : Int32Array.from(t.int32Data ?? []);
    case DataType.DOUBLE:
      return copy ? new Float64Array(copy, 0, n) : Float64Array.from(t.doubleData ?? []);
    case DataType.INT64:
      return copy ? Float64Array.from(new BigInt64Array(copy, 0, n), Number) : Float64Array.from(t.int64Data ?? []);
    default:
      throw new Error(`tensor ${t.name}: data type ${t.dataType} not supported here`);
  }
}

export const attrInt = (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i });
export const attrFloat = (name: string, f: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f });
export const attrString = (name: string, s: string): AttributeProto => ({ name, type: AttributeType.STRING, s: utf8.encode(s) });
export const attrInts = (name: string, ints: ArrayLike<number>): AttributeProto => ({ name, type: AttributeType.INTS, ints: Array.from(ints) });
export const attrFloats = (name: string, floats: ArrayLike<number>): AttributeProto => ({ name, type: AttributeType.FLOATS, floats: Array.from(floats) });
export const attrStrings = (name: string, strings: string[]): AttributeProto => ({ name, type: AttributeType.STRINGS, strings: strings.map((s) => utf8.encode(s)) });

export function node(opType: string, input: string[], output: string[], attribute: AttributeProto[] = [], domain = ''): NodeProto {
  return { opType, input, output, name: `${opType}_${output[0]}`, attribute, ...(domain ? { domain } : {}) };
}

/** A graph input/output: element type and shape, a string dimension being symbolic (the batch). */
export function valueInfo(name: string, elemType: number, shape: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export function model(graph: GraphProto, opts: { ml?: boolean; metadata?: Record<string, string>; doc?: string }): ModelProto {
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_ONNX }, ...(opts.ml ? [{ domain: 'ai.onnx.ml', version: OPSET_ML }] : [])],
    producerName: 'wayside',
    producerVersion: '0.1.0',
    ...(opts.doc ? { docString: opts.doc } : {}),
    graph,
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

export function metadataOf(m: ModelProto): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of m.metadataProps ?? []) out[key] = value;
  return out;
}

const utf8d = new TextDecoder();
/** An attribute's value as JS: number, string, number[] or string[]. */
export function attrValue(a: AttributeProto): number | string | number[] | string[] | TensorProto | undefined {
  switch (a.type) {
    case AttributeType.INT:
      return Number(a.i ?? 0);
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.STRING:
      return utf8d.decode(a.s ?? new Uint8Array());
    case AttributeType.INTS:
      return (a.ints ?? []).map(Number);
    case AttributeType.FLOATS:
      return a.floats ?? [];
    case AttributeType.STRINGS:
      return (a.strings ?? []).map((s) => utf8d.decode(s));
    case AttributeType.TENSOR:
      return a.t;
    default:
      return undefined;
  }
}
