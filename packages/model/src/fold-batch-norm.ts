import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormAffine, foldAffine, type LayerValues, layerValues } from './batch-norm-affine.js';
import { type FoldChain, type FoldPlan, planFolds } from './fold-plan.js';

type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;
type LayerClass = typeof tfl.layers.Layer & tf.serialization.SerializableConstructor<Layer>;

/**
 * A new layer like `layer` from its config. Constraints go (inference never applies them, and one could
 * change folded weights) and initializers become zeros (every weight is overwritten at once: no random
 * draws for nothing).
 */
function cloneLayer(layer: Layer, overrides: Record<string, unknown> = {}): Layer {
  const config = { ...(layer.getConfig() as Record<string, unknown>), ...overrides };
  for (const key of Object.keys(config)) {
    if (key.endsWith('Constraint')) delete config[key];
    else if (key.endsWith('Initializer')) config[key] = 'zeros';
  }
  const Kind = layer.constructor as LayerClass;
  return Kind.fromConfig(Kind, config as tf.serialization.ConfigDict);
}

/** Calls `layer` on `inputs` as the original node did; its outputs, always a list. */
function applyLike(layer: Layer, original: Layer, inputs: SymbolicTensor[]): SymbolicTensor[] {
  const output = layer.apply(inputs.length === 1 ? inputs[0]! : inputs, original.inboundNodes[0]!.callArgs);
  return (Array.isArray(output) ? output : [output]) as SymbolicTensor[];
}

/** Sets `layer`'s weights by short name from `values`, as tensors it then owns. */
function setWeightsByName(layer: Layer, values: LayerValues): void {
  const tensors = layer.weights.map((w) => {
    const value = values.get(w.originalName.split('/').at(-1)!)!;
    return tf.tensor(value.data, value.shape);
  });
  layer.setWeights(tensors);
  tf.dispose(tensors);
}

/**
 * The chain's head with the activation fused into it, and, when a BatchNorm folds in, its new kernel and
 * bias (set once the layer is built; without one it keeps the head's weights).
 */
function foldedLayer({ head, batchNorm, activation }: FoldChain): {
  layer: Layer;
  weights: LayerValues | null;
} {
  const fused = activation && { activation: (activation.getConfig() as { activation: unknown }).activation };
  if (!batchNorm) return { layer: cloneLayer(head, fused), weights: null };
  const values = layerValues(head);
  const kernel = values.get('kernel')!;
  const folded = foldAffine(kernel.data, values.get('bias')?.data, batchNormAffine(batchNorm));
  const weights: LayerValues = new Map([
    ['kernel', { shape: kernel.shape, data: folded.kernel }],
    ['bias', { shape: [folded.bias.length], data: folded.bias }],
  ]);
  return { layer: cloneLayer(head, { ...fused, useBias: true }), weights };
}

/** Builds the folded model from `plan`; the layers it created so far go in `created` (for cleanup). */
function rebuild(model: tfl.LayersModel, plan: FoldPlan, created: Layer[]): tfl.LayersModel {
  const copies = new Map<number, SymbolicTensor>();
  const inputs = model.inputs.map((input) => {
    const copy = tfl.input({ batchShape: input.shape, dtype: input.dtype, name: input.sourceLayer.name });
    copies.set(input.id, copy);
    return copy;
  });
  for (const layer of plan.layers) {
    if (plan.absorbed.has(layer)) continue;
    const node = layer.inboundNodes[0]!;
    const from = node.inputTensors.map((tensor) => copies.get(tensor.id)!);
    if (plan.passThrough.has(layer)) {
      copies.set(node.outputTensors[0]!.id, from[0]!);
      continue;
    }
    const chain = plan.chains.get(layer);
    if (chain) {
      const folded = foldedLayer(chain);
      created.push(folded.layer);
      const [output] = applyLike(folded.layer, layer, from);
      if (folded.weights) setWeightsByName(folded.layer, folded.weights);
      else folded.layer.setWeights(layer.getWeights());
      copies.set(chain.output.id, output!);
    } else {
      const copy = cloneLayer(layer);
      created.push(copy);
      applyLike(copy, layer, from).forEach((output, i) => copies.set(node.outputTensors[i]!.id, output));
      // Shares the weights' memory with the original (tfjs counts references), so no copy is made.
      copy.setWeights(layer.getWeights());
    }
  }
  return tfl.model({
    inputs,
    outputs: model.outputs.map((output) => copies.get(output.id)!),
    name: `${model.name}_folded`,
  });
}

/**
 * A copy of `model` for inference with each BatchNormalization folded into the Conv2D or Dense before it
 * (W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β) and the Activation layer after it
 * fused into that layer: conv → BN → ReLU becomes one fused convolution. Folds only where that layer has no
 * activation of its own and feeds nothing else, and the BatchNorm is over the channel (last) axis.
 * Dropout and noise layers, the identity at inference, are left out.
 * `null` when nothing folds or drops out, or the model is not a graph of layers each called once (shared layers,
 * nested models): use `model` itself then. `model` is left as it was; the copy owns new variables for
 * the folded layers and shares the others' weight memory, so dispose it on its own.
 *
 * @example
 * const fast = foldBatchNorm(model) ?? model;
 */
export function foldBatchNorm(model: tfl.LayersModel): tfl.LayersModel | null {
  const plan = planFolds(model);
  if (!plan || (plan.chains.size === 0 && plan.passThrough.size === 0)) return null;
  const created: Layer[] = [];
  try {
    return rebuild(model, plan, created);
  } catch {
    // A layer that cannot be rebuilt from its config (a custom class without fromConfig, …): no copy.
    for (const layer of created) if (layer.built) layer.dispose();
    return null;
  }
}
