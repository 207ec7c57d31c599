import type * as tf from '@tensorflow/tfjs-core';
import { IoError } from './errors.js';

type WithRate = { learningRate?: unknown; setLearningRate?: (lr: number) => void };

// The checkpoint's own copy of @fmnist/callbacks' getLearningRate/setLearningRate: io does not depend on
// callbacks, and its failures are IoErrors naming the checkpoint file.

/** The optimizer's learning rate (tfjs keeps it protected on most optimizers), or undefined without a numeric one. */
export function learningRateOf(optimizer: tf.Optimizer): number | undefined {
  const rate = (optimizer as unknown as WithRate).learningRate;
  return typeof rate === 'number' ? rate : undefined;
}

/** Puts back a saved learning rate; SGD and Momentum refresh their scalar through their setter. */
export function restoreLearningRate(optimizer: tf.Optimizer, learningRate: number, where: string): void {
  if (!Number.isFinite(learningRate) || learningRate < 0)
    throw new IoError(`${where}: learning rate must be a finite number ≥ 0, got ${learningRate}`);
  if (learningRateOf(optimizer) === undefined)
    throw new IoError(`${where}: ${optimizer.getClassName()} has no numeric learningRate to restore`);
  const target = optimizer as unknown as WithRate;
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate);
  else target.learningRate = learningRate;
}
