import type * as tfl from '@tensorflow/tfjs-layers';
import { OnnxError } from '../errors.js';
import type { GraphBuilder, GraphValue } from '../graph-builder.js';

/** What a layer's converter gets: the layer, its inputs as graph values, and the graph to add to. */
export interface ConvertContext {
  layer: tfl.layers.Layer;
  config: Readonly<Record<string, unknown>>;
  inputs: readonly GraphValue[];
  /** The tfjs shapes of the inputs (NHWC for images, `null` for the batch). */
  inputShapes: readonly (readonly (number | null)[])[];
  /** How many layers (and graph outputs) read each input: a BatchNorm folds only into a sole reader's source. */
  inputReaders: readonly number[];
  graph: GraphBuilder;
  foldBatchNorm: boolean;
}

/** Turns one tfjs layer into ONNX nodes; returns the value standing for its output. */
export type LayerConverter = (context: ConvertContext) => GraphValue;

/** `"layer 'conv1' (Conv2D)"`, as every message about a layer starts. */
export function describeLayer(layer: tfl.layers.Layer): string {
  return `layer '${layer.name}' (${layer.getClassName()})`;
}

/** A copy of each of the layer's weights by its short name (`kernel`, `bias`, `gamma`, `moving_mean`, …). */
export function layerWeights(layer: tfl.layers.Layer): Map<string, { shape: number[]; data: Float32Array }> {
  return new Map(
    layer.weights.map((w) => [
      w.originalName.split('/').at(-1)!,
      { shape: w.shape as number[], data: Float32Array.from(w.read().dataSync() as Float32Array) },
    ]),
  );
}

/** The weight named `name`, or an `OnnxError` naming the layer. */
export function requireWeight(
  weights: ReturnType<typeof layerWeights>,
  name: string,
  layer: tfl.layers.Layer,
): { shape: number[]; data: Float32Array } {
  const weight = weights.get(name);
  if (!weight) throw new OnnxError(`toOnnx: ${describeLayer(layer)} has no '${name}' weight`);
  return weight;
}

/** Refuses a layer whose `key` option is not `expected` (a form this exporter does not write). */
export function expectOption(context: ConvertContext, key: string, expected: unknown): void {
  const found = context.config[key];
  if (found !== undefined && JSON.stringify(found) !== JSON.stringify(expected))
    throw new OnnxError(
      `toOnnx: ${describeLayer(context.layer)}: ${key} must be ${JSON.stringify(expected)} to export, got ${JSON.stringify(found)}`,
    );
}

/** The single input of a one-input layer. */
export function onlyInput(context: ConvertContext): GraphValue {
  const [input] = context.inputs;
  if (context.inputs.length !== 1 || !input)
    throw new OnnxError(
      `toOnnx: ${describeLayer(context.layer)} takes one input, got ${context.inputs.length}`,
    );
  return input;
}

/** A pair of numbers from a config value that is a number or a pair. */
export function pair(value: unknown): [number, number] {
  if (typeof value === 'number') return [value, value];
  const [a, b] = value as [number, number];
  return [a, b];
}
