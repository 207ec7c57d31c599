import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { foldBatchNorm } from './fold-batch-norm.js';

/** The memory each weight of `model` holds now: training and `setWeights` give a weight new memory. */
const weightMemory = (model: tfl.LayersModel): tf.DataId[] => model.weights.map((w) => w.read().dataId);

/**
 * The model a classifier runs: with `fold`, a copy of `model` with its BatchNorms folded (see
 * `foldBatchNorm`), built at once and built again whenever `model`'s weights change (a fine-tuning step,
 * `setWeights`), so it never runs stale weights; `model` itself when folding is off or nothing folds.
 */
export class InferenceModel {
  private folded: tfl.LayersModel | null = null;
  private foldedFrom: tf.DataId[] = [];

  constructor(
    private readonly model: tfl.LayersModel,
    private readonly fold: boolean,
  ) {
    if (fold) this.refold();
  }

  /** The model to run now. */
  current(): tfl.LayersModel {
    if (!this.fold) return this.model;
    const memory = weightMemory(this.model);
    if (memory.length !== this.foldedFrom.length || memory.some((id, i) => id !== this.foldedFrom[i]))
      this.refold();
    return this.folded ?? this.model;
  }

  /** Frees the folded copy's own weights; `model` is its owner's to free. */
  dispose(): void {
    this.folded?.dispose();
    this.folded = null;
  }

  private refold(): void {
    this.dispose();
    this.folded = foldBatchNorm(this.model);
    this.foldedFrom = weightMemory(this.model);
  }
}
