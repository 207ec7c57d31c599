import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchNormInTraining } from './batch-norm-in-training.js';
import { conv2dInTraining, type TrainingConvActivation } from './conv2d-in-training.js';
import { dropoutInTraining } from './dropout-in-training.js';

type Kwargs = { training?: boolean } & Record<string, unknown>;
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];
type LayerVariable = { read(): tf.Tensor; write(value: tf.Tensor): void };

interface BatchNormFields {
  axis: number;
  epsilon: number;
  momentum: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

interface Conv2DFields {
  rank: number;
  kernel: LayerVariable;
  bias: LayerVariable | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[] | number;
  activation: { getClassName(): string };
}

interface DropoutFields {
  rate: number;
  seed?: number;
  getNoiseShape(input: tf.Tensor): number[] | null;
}

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0]! : inputs);

/**
 * BatchNorm's training pass with one gradient for the layer (batchNormInTraining); inference as is.
 * With `reluAfter`, the ReLU of the Activation layer that follows is applied here too, and the output is
 * added to `reluApplied` for that layer to pass on.
 */
function batchNormCall(
  layer: BatchNormFields,
  original: Call,
  reluAfter: boolean,
  reluApplied: WeakSet<tf.Tensor>,
): Call | undefined {
  if (!layer.center || !layer.scale) return undefined;
  return (inputs, kwargs) => {
    const input = single(inputs);
    const lastAxis = layer.axis === -1 || layer.axis === input.rank - 1;
    if (!kwargs.training || !lastAxis || input.rank < 2 || input.rank > 4) return original(inputs, kwargs);
    const output = tf.tidy(() => {
      const { normed, mean, variance } = batchNormInTraining(
        input,
        layer.gamma.read(),
        layer.beta.read(),
        layer.epsilon,
        { relu: reluAfter },
      );
      // As tfjs-layers: moving ← moving − (moving − batch)·(1 − momentum).
      for (const [variable, value] of [
        [layer.movingMean, mean],
        [layer.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const moving = variable.read();
          variable.write(tf.sub(moving, tf.mul(tf.sub(moving, value), 1 - layer.momentum)));
        });
      }
      return normed;
    });
    if (reluAfter) reluApplied.add(output);
    return output;
  };
}

/** A ReLU Activation whose BatchNorm already applied it (batchNormCall) passes its input on. */
function reluAppliedCall(original: Call, reluApplied: WeakSet<tf.Tensor>): Call {
  return (inputs, kwargs) => {
    const input = single(inputs);
    return kwargs.training && reluApplied.has(input) ? tf.clone(input) : original(inputs, kwargs);
  };
}

/**
 * The one layer of this model that reads `layer`, where `layer` is called once, has that one reader,
 * which takes no other input, and its output is no output. A model output creates no node in
 * tfjs-layers, and `outboundNodes` spans every model that uses the layer, so a layer whose output is also
 * an output (of the model or a nested one), or whose reader is outside the model, has none here.
 */
function onlyReader(
  layer: tfl.layers.Layer,
  layers: tfl.layers.Layer[],
  outputs: Set<unknown>,
): tfl.layers.Layer | undefined {
  if (layer.outboundNodes.length !== 1 || layer.inboundNodes.length !== 1) return undefined;
  if (outputs.has(layer.inboundNodes[0]!.outputTensors[0])) return undefined;
  const next = layer.outboundNodes[0]!.outboundLayer;
  return next.inboundNodes.length === 1 && layers.includes(next) ? next : undefined;
}

/**
 * The BatchNormalization layers whose only reader (onlyReader) is an Activation layer of ReLU, mapped to
 * it: the pairs BatchNorm's training pass can fuse.
 */
function batchNormReluPairs(
  layers: tfl.layers.Layer[],
  outputs: Set<unknown>,
): Map<tfl.layers.Layer, tfl.layers.Layer> {
  const pairs = new Map<tfl.layers.Layer, tfl.layers.Layer>();
  for (const layer of layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const next = onlyReader(layer, layers, outputs);
    const activation = (next as unknown as { activation?: { getClassName(): string } } | undefined)
      ?.activation;
    if (next?.getClassName() === 'Activation' && activation?.getClassName() === 'relu')
      pairs.set(layer, next);
  }
  return pairs;
}

/**
 * The linear Conv2D layers whose only reader (onlyReader) is a BatchNormalization over the last axis: in
 * training it subtracts the batch's per-channel mean, so their bias gradient is exactly zero.
 */
function convsBeforeBatchNorm(layers: tfl.layers.Layer[], outputs: Set<unknown>): Set<tfl.layers.Layer> {
  const convs = new Set<tfl.layers.Layer>();
  for (const layer of layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    if ((layer as unknown as Conv2DFields).activation.getClassName() !== 'linear') continue;
    const next = onlyReader(layer, layers, outputs);
    const axis = (next as unknown as Partial<BatchNormFields> | undefined)?.axis;
    // A BatchNorm with a `call` of its own (e.g. one frozen to inference mode) may not normalize by the batch.
    if (
      next?.getClassName() === 'BatchNormalization' &&
      (axis === -1 || axis === 3) &&
      !Object.hasOwn(next, 'call')
    )
      convs.add(layer);
  }
  return convs;
}

/** A 2D convolution recorded so that each input's gradient is computed only when needed (conv2dInTraining). */
function conv2dCall(layer: Conv2DFields, original: Call, context: FusionContext): Call | undefined {
  const biasGradientIsZero = context.convsBeforeNorm.has(layer as unknown as tfl.layers.Layer);
  const activation = layer.activation.getClassName();
  const dilations = typeof layer.dilationRate === 'number' ? [layer.dilationRate] : layer.dilationRate;
  if (
    layer.rank !== 2 ||
    layer.dataFormat !== 'channelsLast' ||
    dilations.some((d) => d !== 1) ||
    (layer.padding !== 'same' && layer.padding !== 'valid') ||
    (activation !== 'linear' && activation !== 'relu')
  ) {
    return undefined;
  }
  return (inputs, kwargs) => {
    const input = single(inputs);
    if (!kwargs.training || input.rank !== 4) return original(inputs, kwargs);
    return tf.tidy(() =>
      conv2dInTraining(
        input as tf.Tensor4D,
        layer.kernel.read() as tf.Tensor4D,
        (layer.bias?.read() ?? null) as tf.Tensor1D | null,
        {
          strides: layer.strides as [number, number],
          pad: layer.padding as 'same' | 'valid',
          activation: activation as TrainingConvActivation,
          biasGradientIsZero,
        },
      ),
    );
  };
}

/** Dropout's training pass with the mask filled in one loop (dropoutInTraining). */
function dropoutCall(layer: DropoutFields, original: Call): Call {
  return (inputs, kwargs) => {
    const input = single(inputs);
    if (!kwargs.training || !(layer.rate > 0 && layer.rate < 1)) return original(inputs, kwargs);
    (layer as { invokeCallHook?: (inputs: unknown, kwargs: unknown) => void }).invokeCallHook?.(
      inputs,
      kwargs,
    );
    return tf.tidy(() =>
      dropoutInTraining(input, layer.rate, layer.getNoiseShape(input) ?? input.shape, layer.seed),
    );
  };
}

/** What the model's graph says about the layers, for the fused calls that depend on their neighbours. */
interface FusionContext {
  convsBeforeNorm: Set<tfl.layers.Layer>;
}

const FUSED_CALLS: Record<
  string,
  (layer: never, original: Call, context: FusionContext) => Call | undefined
> = {
  Conv2D: conv2dCall,
  Dropout: dropoutCall,
  SpatialDropout1D: dropoutCall,
};

function layersOf(model: tfl.LayersModel | tfl.layers.Layer): tfl.layers.Layer[] {
  const inner = (model as { layers?: tfl.layers.Layer[] }).layers;
  return inner ? inner.flatMap((layer) => layersOf(layer)) : [model as tfl.layers.Layer];
}

/** The symbolic outputs of the model and of every model nested in it. */
function outputsOf(model: tfl.LayersModel | tfl.layers.Layer): unknown[] {
  const { layers, outputs } = model as { layers?: tfl.layers.Layer[]; outputs?: unknown[] };
  return layers ? [...(outputs ?? []), ...layers.flatMap((layer) => outputsOf(layer))] : [];
}

/**
 * Runs `fn` (a training step: forward in training mode and backward) with the model's Conv2D,
 * BatchNormalization and Dropout layers taking faster training paths, then puts the layers back as
 * they were. A BatchNorm read only by a ReLU Activation applies that ReLU itself, and the Activation
 * passes its input on, and a linear Conv2D read only by a BatchNorm skips its bias gradient (exactly zero
 * there). The values are tfjs-layers' (the convolution's bit for bit, BatchNorm's and the
 * gradients to float rounding); dropout draws its masks from another generator. Inference, and any
 * layer these paths do not cover (channels-first, BatchNorm without center or scale, dilated or
 * non-ReLU convolutions), runs as tfjs-layers does. Nested models included.
 */
export function withFusedTrainingLayers<T>(model: tfl.LayersModel, fn: () => T): T {
  const patched: tfl.layers.Layer[] = [];
  const layers = layersOf(model);
  const outputs = new Set(outputsOf(model));
  const pairs = batchNormReluPairs(layers, outputs);
  const context: FusionContext = { convsBeforeNorm: convsBeforeBatchNorm(layers, outputs) };
  const relus = new Set(pairs.values());
  const reluApplied = new WeakSet<tf.Tensor>();
  try {
    for (const layer of layers) {
      const target = layer as unknown as { call: Call };
      if (Object.hasOwn(layer, 'call')) continue;
      const original = target.call.bind(layer);
      const name = layer.getClassName();
      const call =
        name === 'BatchNormalization'
          ? batchNormCall(layer as never, original, pairs.has(layer), reluApplied)
          : relus.has(layer)
            ? reluAppliedCall(original, reluApplied)
            : FUSED_CALLS[name]?.(layer as never, original, context);
      if (!call) continue;
      target.call = call;
      patched.push(layer);
    }
    return fn();
  } finally {
    for (const layer of patched) delete (layer as unknown as { call?: Call }).call;
  }
}
