import type * as tfl from '@tensorflow/tfjs-layers';
import { OnnxError } from './errors.js';
import { GraphBuilder, type GraphValue } from './graph-builder.js';
import { describeLayer } from './layers/context.js';
import { LAYER_CONVERTERS } from './layers/registry.js';
import { channelsFirst, kerasOrder, TO_NCHW } from './layout.js';
import { encodeModel, type OnnxValueInfo } from './onnx-proto.js';
import { irVersionFor, ONNX_OPSET } from './opset.js';

type SymbolicTensor = tfl.SymbolicTensor;

export interface ToOnnxOptions {
  /** The ONNX opset to write (`SUPPORTED_OPSETS`); default `ONNX_OPSET` (13). */
  opset?: number;
  /**
   * The layout of image (rank-4) inputs and outputs of the ONNX model: `'NHWC'` (default, as tfjs takes
   * them) or `'NCHW'` (as PyTorch-style pipelines feed them; no Transpose at the input).
   */
  inputLayout?: 'NHWC' | 'NCHW';
  /** Fold each BatchNormalization into the Conv2D or Dense before it where possible. Default true. */
  foldBatchNorm?: boolean;
  /** The model's doc_string. */
  description?: string;
}

/** The producer_name of every file (no producer_version: a copy of the package's would drift). */
const PRODUCER_NAME = '@fmnist/onnx';

/** Where a tfjs tensor comes from: the layer and which call of it. */
function origin(tensor: SymbolicTensor): {
  layer: tfl.layers.Layer;
  node: { inputTensors: SymbolicTensor[] };
} {
  const layer = tensor.sourceLayer;
  const node = layer.inboundNodes[tensor.nodeIndex];
  if (!node)
    throw new OnnxError(`toOnnx: tensor '${tensor.name}' has no producing node in ${describeLayer(layer)}`);
  return { layer, node };
}

/** How many times each tensor (by id) is read by a layer or as a model output. */
function countReaders(outputs: readonly SymbolicTensor[]): Map<number, number> {
  const readers = new Map<number, number>();
  const seen = new Set<number>();
  const visit = (tensor: SymbolicTensor) => {
    if (seen.has(tensor.id)) return;
    seen.add(tensor.id);
    for (const input of origin(tensor).node.inputTensors) {
      readers.set(input.id, (readers.get(input.id) ?? 0) + 1);
      visit(input);
    }
  };
  for (const output of outputs) {
    readers.set(output.id, (readers.get(output.id) ?? 0) + 1);
    visit(output);
  }
  return readers;
}

/** The shape of a graph input or output, batch unknown, in the chosen layout. */
function valueInfo(name: string, shape: readonly (number | null)[], layout: 'NHWC' | 'NCHW'): OnnxValueInfo {
  const dims = shape.map((d) => (d === null || d === undefined ? null : d));
  return { name, shape: dims.length === 4 && layout === 'NCHW' ? TO_NCHW.map((axis) => dims[axis]!) : dims };
}

/**
 * A tfjs layers model (Sequential or functional) as the bytes of an ONNX model at `opset`. Inference
 * form: dropout and augmentation layers vanish, BatchNormalization uses its moving statistics. Any layer
 * this package does not convert (see `LAYER_CONVERTERS`) is an `OnnxError` naming its class and name.
 *
 * @example
 * const bytes = toOnnx(model); // NHWC input named like the model's input layer, opset 13
 */
export function toOnnx(model: tfl.LayersModel, options: ToOnnxOptions = {}): Uint8Array {
  const { opset = ONNX_OPSET, inputLayout = 'NHWC', foldBatchNorm = true } = options;
  const irVersion = irVersionFor(opset);
  if (inputLayout !== 'NHWC' && inputLayout !== 'NCHW')
    throw new OnnxError(`toOnnx: inputLayout must be 'NHWC' or 'NCHW', got ${JSON.stringify(inputLayout)}`);
  const graph = new GraphBuilder();
  const readers = countReaders(model.outputs);
  const values = new Map<number, GraphValue>();
  const inputs: OnnxValueInfo[] = [];
  for (const input of model.inputs) {
    const name = graph.uniqueName(input.sourceLayer.name);
    const rank = input.shape.length;
    inputs.push(valueInfo(name, input.shape, inputLayout));
    values.set(input.id, { name, rank, layout: rank === 4 && inputLayout === 'NCHW' ? 'nchw' : 'keras' });
  }
  const outputNames = model.outputs.map((output) => graph.uniqueName(output.sourceLayer.name));

  const convert = (tensor: SymbolicTensor): GraphValue => {
    const known = values.get(tensor.id);
    if (known) return known;
    const { layer, node } = origin(tensor);
    const className = layer.getClassName();
    const converter = LAYER_CONVERTERS[className];
    if (!converter)
      throw new OnnxError(
        `toOnnx: ${describeLayer(layer)} has no ONNX conversion; supported layers: ${Object.keys(LAYER_CONVERTERS).join(', ')}`,
      );
    const value = converter({
      layer,
      config: layer.getConfig() as Record<string, unknown>,
      inputs: node.inputTensors.map(convert),
      inputShapes: node.inputTensors.map((t) => t.shape),
      inputReaders: node.inputTensors.map((t) => readers.get(t.id) ?? 0),
      graph,
      foldBatchNorm,
    });
    values.set(tensor.id, value);
    return value;
  };

  const outputs = model.outputs.map((output, i) => {
    let value = convert(output);
    const name = outputNames[i]!;
    // Image outputs in the layout the caller chose for images, whatever the graph left them in.
    if (value.rank === 4)
      value = inputLayout === 'NHWC' ? kerasOrder(graph, value, name) : channelsFirst(graph, value, name);
    graph.identity(value.name, name);
    return valueInfo(name, output.shape, inputLayout);
  });
  return encodeModel({
    irVersion,
    opset,
    producerName: PRODUCER_NAME,
    ...(options.description && { docString: options.description }),
    graph: { name: model.name, nodes: graph.nodes, initializers: graph.allInitializers(), inputs, outputs },
  });
}
