import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Trainable parameters only: BatchNorm's moving statistics are weights too, but not trained. */
export const trainableParams = (model: LayersModel) =>
  model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
