import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CNN_MLP_MODEL_PARAMS } from './cnn-mlp-model.js';
import { countTrainableParams } from './count-params.js';
import { createModel } from './create-model.js';
import { createVggModel, VGG_MODEL_TRAINABLE_PARAMS } from './vgg-model.js';

describe('createVggModel', () => {
  it('has 288,618 trainable parameters in three pairs of 3x3 convs at 28, 14 and 7 px', async () => {
    await tf.setBackend('cpu');
    const model = createVggModel();
    expect(countTrainableParams(model)).toBe(VGG_MODEL_TRAINABLE_PARAMS);
    expect(VGG_MODEL_TRAINABLE_PARAMS).toBe(288_618);
    expect(model.countParams()).toBe(VGG_MODEL_TRAINABLE_PARAMS + 2 * (32 + 32 + 64 + 64 + 128 + 128));
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((l) => [l.name, (l.outputShape as number[]).slice(1)])).toEqual([
      ['block1_conv1', [28, 28, 32]],
      ['block1_conv2', [28, 28, 32]],
      ['block2_conv1', [14, 14, 64]],
      ['block2_conv2', [14, 14, 64]],
      ['block3_conv1', [7, 7, 128]],
      ['block3_conv2', [7, 7, 128]],
    ]);
    expect(model.layers.map((l) => l.name).slice(-3)).toEqual(['global_pool', 'dropout3', 'output']);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
  });

  it('takes other filters, no BatchNorm, no dropout, another input size and class count', () => {
    const model = createVggModel({
      filters: [8, 8, 16, 16, 24, 24],
      batchNorm: false,
      dropout: { conv: 0, dense: 0 },
      inputShape: [32, 32, 3],
      numClasses: 4,
    });
    expect(model.name).toBe('fmnist_vgg');
    expect(model.layers.some((l) => l.name.endsWith('_bn') || l.name.startsWith('dropout'))).toBe(false);
    expect(model.getLayer('block3_conv2').outputShape).toEqual([null, 8, 8, 24]);
    expect(model.outputs[0]!.shape).toEqual([null, 4]);
    const x = tf.ones([2, 32, 32, 3]);
    const sums = tf.tidy(() => Array.from(tf.sum(model.predict(x) as tf.Tensor, -1).dataSync()));
    expect(sums.map((s) => Number(s.toFixed(5)))).toEqual([1, 1]);
    x.dispose();
    model.dispose();
  });

  it('gives the same initial weights for the same seed', () => {
    const [a, b, c] = [7, 7, 8].map((seed) => createVggModel({ seed }));
    const weights = (m: ReturnType<typeof createVggModel>) =>
      m.trainableWeights.map((w) => Array.from(w.read().dataSync().slice(0, 8)));
    expect(weights(a!)).toEqual(weights(b!));
    expect(weights(a!)[0]).not.toEqual(weights(c!)[0]);
    // The output layer's kernel draws its own seed too.
    expect(weights(a!).at(-2)).not.toEqual(weights(c!).at(-2));
    [a, b, c].forEach((m) => m!.dispose());
  });

  it('is what createModel builds for the vgg architecture; cnn-mlp gives the report model', () => {
    const [vgg, cnnMlp] = (['vgg', 'cnn-mlp'] as const).map((a) => createModel(a, { batchNorm: false }));
    expect(vgg!.name).toBe('fmnist_vgg');
    expect(cnnMlp!.countParams()).toBe(CNN_MLP_MODEL_PARAMS);
    [vgg, cnnMlp].forEach((m) => m!.dispose());
  });
});
