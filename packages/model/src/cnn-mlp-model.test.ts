import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  CNN_MLP_MODEL_BN_TRAINABLE_PARAMS,
  CNN_MLP_MODEL_PARAMS,
  createCnnMlpModel,
} from './cnn-mlp-model.js';
import { countTrainableParams } from './count-params.js';

describe('createCnnMlpModel', () => {
  it("has the report's 297,898 parameters and layer sequence", async () => {
    await tf.setBackend('cpu');
    const model = createCnnMlpModel();
    expect(model.countParams()).toBe(CNN_MLP_MODEL_PARAMS);
    expect(countTrainableParams(model)).toBe(CNN_MLP_MODEL_PARAMS);
    expect(CNN_MLP_MODEL_PARAMS).toBe(297_898);
    expect(model.layers.map((l) => l.name)).toEqual([
      'image',
      'conv1',
      'conv2',
      'pool1',
      'dropout1',
      'conv3',
      'conv4',
      'pool2',
      'dropout2',
      'flatten',
      'dense1',
      'dropout3',
      'output',
    ]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    // Two 3x3 max-pools take 28 → 9 → 3: the flatten holds 3*3*128 values.
    expect(model.getLayer('flatten').outputShape).toEqual([null, 1152]);
    model.dispose();
  });

  it('has 298,474 trainable parameters with BatchNorm after each conv', () => {
    const model = createCnnMlpModel({ batchNorm: true });
    expect(countTrainableParams(model)).toBe(CNN_MLP_MODEL_BN_TRAINABLE_PARAMS);
    expect(model.countParams()).toBe(CNN_MLP_MODEL_BN_TRAINABLE_PARAMS + 2 * (32 + 64 + 64 + 128));
    expect(model.layers.map((l) => l.name)).toContain('conv4_bn');
    model.dispose();
  });

  it('gives the same initial weights for the same seed', () => {
    const a = createCnnMlpModel({ seed: 7 });
    const b = createCnnMlpModel({ seed: 7 });
    const c = createCnnMlpModel({ seed: 8 });
    const first = (m: typeof a) => Array.from(m.getWeights()[0]!.dataSync().slice(0, 20));
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('draws new dropout masks at every training step, seeded or not', () => {
    const model = createCnnMlpModel({ seed: 7, batchNorm: true });
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1);
    const [a, b] = [0, 1].map(() =>
      tf.tidy(() => Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync())),
    );
    expect(a).not.toEqual(b);
    const [c, d] = [0, 1].map(() => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync())));
    expect(c).toEqual(d);
    x.dispose();
    model.dispose();
  });

  it('drops dropout layers whose rate is 0', () => {
    const model = createCnnMlpModel({ dropout: { conv: 0, dense: 0 } });
    expect(model.layers.some((l) => l.name.startsWith('dropout'))).toBe(false);
    model.dispose();
  });
});
