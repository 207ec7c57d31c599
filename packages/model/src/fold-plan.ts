import * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;

/**
 * A Conv2D or Dense without activation and what folds into it: the BatchNormalization reading it, the
 * Activation layer reading that (or reading the layer itself when there is no BatchNorm), or both.
 */
export interface FoldChain {
  head: Layer;
  batchNorm?: Layer;
  activation?: Layer;
  /** The tensor the folded layer stands for: the output of the chain's last layer. */
  output: SymbolicTensor;
}

/** The layers of a model in an order where every layer comes after those it reads, and what folds. */
export interface FoldPlan {
  /** Each layer once, inputs first; `InputLayer`s left out. */
  layers: Layer[];
  /** By head layer. */
  chains: Map<Layer, FoldChain>;
  /** The BatchNormalization and Activation layers that disappear into a chain. */
  absorbed: Set<Layer>;
  /** Layers that are the identity at inference, left out of the copy (each op costs at batch 1). */
  passThrough: Set<Layer>;
}

// Layers whose kernel's last axis holds the output channels (tfjs's [kh, kw, in, out] and [in, out]).
const FOLDABLE_HEADS = new Set(['Conv2D', 'Dense']);
// tfjs-layers' noise and dropout layers return their input unless called in training
// (`tfjs-layers/src/layers/core.ts`, `noise.ts`: `K.inTrainPhase(..., () => input, training)`).
const IDENTITY_AT_INFERENCE = new Set([
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

const configOf = (layer: Layer) => layer.getConfig() as Record<string, unknown>;
const inboundNode = (layer: Layer) => layer.inboundNodes[0]!;

/**
 * The model's layers in order, reached from its outputs, or `null` when the model is not a plain graph
 * of layers each called once (a shared layer, a nested model): its copy could not be rebuilt faithfully.
 */
function orderedLayers(model: tfl.LayersModel): Layer[] | null {
  const order: Layer[] = [];
  const seen = new Set<Layer>();
  const visit = (layer: Layer): boolean => {
    if (seen.has(layer)) return true;
    seen.add(layer);
    if (layer.inboundNodes.length !== 1 || layer instanceof tfl.LayersModel) return false;
    for (const input of inboundNode(layer).inputTensors) {
      if (input.nodeIndex !== 0 || !visit(input.sourceLayer)) return false;
    }
    if (layer.getClassName() !== 'InputLayer') order.push(layer);
    return true;
  };
  return model.outputs.every((output) => output.nodeIndex === 0 && visit(output.sourceLayer)) ? order : null;
}

/** The layers reading each tensor (by id), a model output counting as one more reader. */
function readersOf(model: tfl.LayersModel, layers: readonly Layer[]): Map<number, (Layer | null)[]> {
  const readers = new Map<number, (Layer | null)[]>();
  const add = (tensor: SymbolicTensor, reader: Layer | null) =>
    readers.set(tensor.id, [...(readers.get(tensor.id) ?? []), reader]);
  for (const layer of layers) for (const input of inboundNode(layer).inputTensors) add(input, layer);
  for (const output of model.outputs) add(output, null);
  return readers;
}

/** True for a BatchNormalization over the last axis, the channels of a channels-last Conv2D or Dense. */
function normalizesLastAxis(layer: Layer, input: SymbolicTensor): boolean {
  const axis = Number(configOf(layer).axis ?? -1);
  return layer.getClassName() === 'BatchNormalization' && (axis === -1 || axis === input.rank - 1);
}

/** The chain starting at `head`, or `undefined` when nothing folds into it. */
function chainAt(head: Layer, readers: Map<number, (Layer | null)[]>): FoldChain | undefined {
  const config = configOf(head);
  if (!FOLDABLE_HEADS.has(head.getClassName()) || config.activation !== 'linear') return undefined;
  if (head.getClassName() === 'Conv2D' && (config.dataFormat ?? 'channelsLast') !== 'channelsLast')
    return undefined;
  // A tensor folds away only if one layer reads it and it is not a model output.
  const soleReader = (tensor: SymbolicTensor) => {
    const found = readers.get(tensor.id) ?? [];
    return found.length === 1 ? (found[0] ?? undefined) : undefined;
  };
  let output = inboundNode(head).outputTensors[0]!;
  const chain: FoldChain = { head, output };
  let next = soleReader(output);
  if (next && normalizesLastAxis(next, output)) {
    chain.batchNorm = next;
    output = inboundNode(next).outputTensors[0]!;
    next = soleReader(output);
  }
  if (next && next.getClassName() === 'Activation') {
    chain.activation = next;
    output = inboundNode(next).outputTensors[0]!;
  }
  chain.output = output;
  return chain.batchNorm || chain.activation ? chain : undefined;
}

/**
 * Which layers of `model` fold together at inference and which drop out, or `null` when the model cannot
 * be rebuilt (see `orderedLayers`).
 */
export function planFolds(model: tfl.LayersModel): FoldPlan | null {
  const layers = orderedLayers(model);
  if (!layers) return null;
  const readers = readersOf(model, layers);
  const chains = new Map<Layer, FoldChain>();
  const absorbed = new Set<Layer>();
  const passThrough = new Set<Layer>();
  for (const layer of layers) {
    if (IDENTITY_AT_INFERENCE.has(layer.getClassName())) passThrough.add(layer);
    if (absorbed.has(layer)) continue;
    const chain = chainAt(layer, readers);
    if (!chain) continue;
    chains.set(layer, chain);
    for (const part of [chain.batchNorm, chain.activation]) if (part) absorbed.add(part);
  }
  return { layers, chains, absorbed, passThrough };
}
