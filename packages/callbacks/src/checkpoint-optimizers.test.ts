import { loadCheckpoint, memoryCheckpointStore, saveCheckpoint } from '@fmnist/io';
import { adamw, amsgrad } from '@fmnist/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type tfl, tinyData, tinyModel } from './testing/index.js';

// @fmnist/io's checkpoints with @fmnist/model's optimizers, tested here because model depends on io
// (io's optimizer-state.test.ts covers tfjs's own optimizers).

beforeAll(() => tf.setBackend('cpu'));

// Enough steps for a `pow`-recomputed bias correction to differ in its last bit from the running product.
const BEFORE = 120;
const AFTER = 30;

async function train(model: tfl.LayersModel, steps: number) {
  const { xs, ys } = tinyData();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  tf.dispose([xs, ys]);
}

const bits = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('a checkpoint resumes training bit for bit', () => {
  const optimizers: [string, () => tf.Optimizer][] = [
    ["the repo's AMSGrad", () => amsgrad({ learningRate: 0.01 })],
    ['adamw', () => adamw({ learningRate: 0.01 })],
  ];
  for (const [name, make] of optimizers) {
    it(`with ${name}`, async () => {
      const straight = tinyModel(make());
      await train(straight, BEFORE);
      const store = memoryCheckpointStore();
      await saveCheckpoint(store, 'ckpt', straight);
      await train(straight, AFTER);

      const resumed = tinyModel(make());
      await loadCheckpoint(store, 'ckpt', resumed);
      expect(resumed.optimizer.iterations).toBe(BEFORE);
      await train(resumed, AFTER);
      expect(bits(resumed)).toEqual(bits(straight));
    });
  }
});

describe('a checkpoint of another optimizer class', () => {
  it('is refused', async () => {
    const model = tinyModel(amsgrad());
    const store = memoryCheckpointStore();
    await saveCheckpoint(store, 'adamw', model);
    await expect(loadCheckpoint(store, 'adamw', tinyModel(tf.train.adam(0.1)))).rejects.toThrow(
      /optimizer state of a AdamW, but the model's optimizer is a Adam/,
    );
  });
});
