import type * as tfl from '@tensorflow/tfjs-layers';

/** A weight's values by its short name (`kernel`, `bias`, `gamma`, `moving_mean`, …), read once. */
export type LayerValues = Map<string, { shape: number[]; data: Float32Array }>;

export function layerValues(layer: tfl.layers.Layer): LayerValues {
  return new Map(
    layer.weights.map((w) => [
      w.originalName.split('/').at(-1)!,
      { shape: [...w.shape] as number[], data: Float32Array.from(w.read().dataSync() as Float32Array) },
    ]),
  );
}

/**
 * The per-channel `scale` and `shift` a BatchNormalization applies at inference (`@fmnist/onnx` has the
 * same ten lines: it folds into ONNX initializers and must not depend on this package and its weights):
 * `(x - mean) * gamma / sqrt(variance + epsilon) + beta = x * scale + shift`, in float64 so folding adds
 * no rounding of its own. Without `gamma` (`scale: false`) or `beta` (`center: false`), 1 and 0.
 */
export function batchNormAffine(layer: tfl.layers.Layer): { scale: Float64Array; shift: Float64Array } {
  const values = layerValues(layer);
  const mean = values.get('moving_mean')!.data;
  const variance = values.get('moving_variance')!.data;
  const gamma = values.get('gamma')?.data;
  const beta = values.get('beta')?.data;
  // tfjs-layers' BatchNormalization default (Keras's).
  const epsilon = Number((layer.getConfig() as { epsilon?: number }).epsilon ?? 1e-3);
  const scale = new Float64Array(mean.length);
  const shift = new Float64Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    scale[c] = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + epsilon);
    shift[c] = (beta?.[c] ?? 0) - mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/**
 * A Conv2D or Dense kernel and bias with `affine` applied to their outputs: the kernel's last axis (the
 * output channels, tfjs's [kh, kw, in, out] and [in, out]) scaled, the bias scaled and shifted. A layer
 * without bias gets one.
 */
export function foldAffine(
  kernel: Float32Array,
  bias: Float32Array | undefined,
  { scale, shift }: ReturnType<typeof batchNormAffine>,
): { kernel: Float32Array; bias: Float32Array } {
  const channels = scale.length;
  const folded = new Float32Array(kernel.length);
  for (let i = 0; i < kernel.length; i++) folded[i] = kernel[i]! * scale[i % channels]!;
  const foldedBias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) foldedBias[c] = (bias?.[c] ?? 0) * scale[c]! + shift[c]!;
  return { kernel: folded, bias: foldedBias };
}
