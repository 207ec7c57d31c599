import { ProtoWriter } from './protobuf-writer.js';

// The part of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) this exporter writes,
// as plain objects, and their encoding. Field numbers are onnx.proto's.

/** TensorProto.DataType values used here. */
export const DATA_TYPE = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttributeValue =
  | number
  | string
  | readonly number[]
  | { float: number }
  | { floats: readonly number[] };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Integers become INT(S); `{ float }` and `{ floats }` mark float attributes. */
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: float, with `null` for a dimension named by `dimParam` (the batch). */
export interface OnnxValueInfo {
  name: string;
  shape: readonly (number | null)[];
}

export interface OnnxModel {
  irVersion: number;
  opset: number;
  producerName: string;
  graph: {
    name: string;
    nodes: readonly OnnxNode[];
    initializers: readonly OnnxTensor[];
    inputs: readonly OnnxValueInfo[];
    outputs: readonly OnnxValueInfo[];
  };
  docString?: string;
}

/** The dim_param of every unknown dimension (the batch). */
export const BATCH_DIM = 'batch';

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'number') w.varint(3, value).varint(20, ATTRIBUTE_TYPE.INT);
  else if (typeof value === 'string') w.string(4, value).varint(20, ATTRIBUTE_TYPE.STRING);
  else if ('float' in value) w.float(2, value.float).varint(20, ATTRIBUTE_TYPE.FLOAT);
  else if ('floats' in value) {
    for (const f of value.floats) w.float(7, f);
    w.varint(20, ATTRIBUTE_TYPE.FLOATS);
  } else {
    for (const i of value) w.varint(8, i);
    w.varint(20, ATTRIBUTE_TYPE.INTS);
  }
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name).string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {}))
    w.message(5, (a) => writeAttribute(a, name, value));
}

/** Little-endian bytes of `data` (raw_data is little-endian whatever the machine). */
function rawData(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  for (const d of tensor.dims) w.varint(1, d);
  w.varint(2, tensor.data instanceof Float32Array ? DATA_TYPE.FLOAT : DATA_TYPE.INT64);
  w.string(8, tensor.name).bytesField(9, rawData(tensor.data));
}

function writeValueInfo(w: ProtoWriter, { name, shape }: OnnxValueInfo): void {
  w.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.varint(1, DATA_TYPE.FLOAT).message(2, (s) => {
        for (const d of shape)
          s.message(1, (dim) => (d === null ? dim.string(2, BATCH_DIM) : dim.varint(1, d)));
      }),
    ),
  );
}

/** The ModelProto bytes of `model`. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, model.irVersion).string(2, model.producerName);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => {
    for (const node of model.graph.nodes) g.message(1, (n) => writeNode(n, node));
    g.string(2, model.graph.name);
    for (const tensor of model.graph.initializers) g.message(5, (t) => writeTensor(t, tensor));
    for (const input of model.graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of model.graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  w.message(8, (o) => o.string(1, '').varint(2, model.opset));
  return w.bytes();
}
