import '@tensorflow/tfjs-backend-cpu';
import {
  type AdamWOptimizer,
  CNN_MLP_BN_RECIPE,
  CNN_MLP_MODEL_BN_TRAINABLE_PARAMS,
  countTrainableParams,
  QUICK_RECIPE,
  REPORT_RECIPE,
  type Recipe,
} from '@fmnist/model';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, buildOptimizer, recipeLoss } from './build-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildModel', () => {
  it("builds the recipe's network, compiled with its optimizer, the same weights for the same seed", () => {
    const a = buildModel(CNN_MLP_BN_RECIPE, 1);
    const b = buildModel(CNN_MLP_BN_RECIPE, 1);
    expect(countTrainableParams(a)).toBe(CNN_MLP_MODEL_BN_TRAINABLE_PARAMS);
    expect(a.optimizer.getClassName()).toBe(buildOptimizer(CNN_MLP_BN_RECIPE).getClassName());
    expect(Array.from(a.getWeights()[0]!.dataSync())).toEqual(Array.from(b.getWeights()[0]!.dataSync()));
    a.dispose();
    b.dispose();
  });

  it('gives each optimizer type its settings: AMSGrad, AdamW, Adam (AdamW without decay unless told)', () => {
    const withOptimizer = (type: Recipe['optimizer']['type'], weightDecay?: number): Recipe => ({
      ...QUICK_RECIPE,
      optimizer: { type, learningRate: 0.004, weightDecay },
    });
    const settings = (recipe: Recipe) => {
      const { learningRate, weightDecay, amsgrad } = buildOptimizer(recipe) as AdamWOptimizer;
      return { learningRate, weightDecay, amsgrad };
    };
    expect(settings(withOptimizer('amsgrad', 0.01))).toEqual({
      learningRate: 0.004,
      weightDecay: 0.01,
      amsgrad: true,
    });
    expect(settings(withOptimizer('adamw', 0.02))).toEqual({
      learningRate: 0.004,
      weightDecay: 0.02,
      amsgrad: false,
    });
    expect(settings(withOptimizer('adam'))).toEqual({ learningRate: 0.004, weightDecay: 0, amsgrad: false });
  });

  it("trains with the recipe's label smoothing", () => {
    expect(recipeLoss(QUICK_RECIPE)).toEqual({ type: 'categoricalCrossentropy', labelSmoothing: 0.1 });
    expect(recipeLoss(REPORT_RECIPE).type).toBe('categoricalCrossentropy');
  });
});
