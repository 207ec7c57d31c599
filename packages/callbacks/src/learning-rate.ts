import type * as tf from '@tensorflow/tfjs-core';
import { CallbackError } from './errors.js';

type WithRate = { learningRate?: unknown; setLearningRate?: (lr: number) => void };

/** The learning rate of any tfjs optimizer (tfjs keeps it protected on most of them) or ours. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const rate = (optimizer as unknown as WithRate).learningRate;
  if (typeof rate !== 'number') {
    throw new CallbackError(`getLearningRate: ${optimizer.getClassName()} has no numeric learningRate`);
  }
  return rate;
}

/** Sets the learning rate of any built-in tfjs optimizer or ours; SGD and Momentum refresh their scalar. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (!Number.isFinite(learningRate) || learningRate < 0) {
    throw new CallbackError(
      `setLearningRate: learning rate must be a finite number ≥ 0, got ${learningRate}`,
    );
  }
  getLearningRate(optimizer);
  const target = optimizer as unknown as WithRate;
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate);
  else target.learningRate = learningRate;
}
