import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * The parameters training updates, as Keras's summary counts them: `countParams()` also counts
 * BatchNorm's moving statistics.
 */
export function countTrainableParams(model: LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
