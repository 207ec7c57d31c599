import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { CHECKSUMS_FILE } from './checkpoint-integrity.js';
import { fileSystemCheckpointStore } from './file-system-checkpoint-store.js';
import { memoryCheckpointStore } from './memory-checkpoint-store.js';
import { cpuTestsWithTempDir, tf, type tfl, tinyData, tinyModel } from './testing/models.js';

const root = cpuTestsWithTempDir('fmnist-optimizer-state-');

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
    ['adam', () => tf.train.adam(0.01)],
    ['adamax', () => tf.train.adamax(0.01)],
    // @fmnist/model's AMSGrad and AdamW: in @fmnist/callbacks' checkpoint-optimizers.test.ts (model depends on io).
    ['sgd', () => tf.train.sgd(0.1)],
    ['momentum (Nesterov)', () => tf.train.momentum(0.05, 0.9, true)],
    ['rmsprop (centered)', () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, true)],
    ['adagrad', () => tf.train.adagrad(0.1)],
    ['adadelta', () => tf.train.adadelta(1)],
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

describe('a checkpoint written before the private scalars were saved', () => {
  it('still loads into Adam, which recomputes them as tfjs does', async () => {
    const model = tinyModel(tf.train.adam(0.01));
    await train(model, 10);
    const store = fileSystemCheckpointStore(root());
    const dir = join(root(), 'old-adam');
    await saveCheckpoint(store, 'old-adam', model);
    const file = join(dir, 'optimizer.json');
    const { fields, ...old } = JSON.parse(await readFile(file, 'utf8'));
    expect(fields.map((f: { name: string }) => f.name)).toEqual(['accBeta1', 'accBeta2']);
    await writeFile(file, JSON.stringify(old));
    await rm(join(dir, CHECKSUMS_FILE));

    const resumed = tinyModel(tf.train.adam(0.01));
    await loadCheckpoint(store, 'old-adam', resumed);
    expect(resumed.optimizer.iterations).toBe(10);
    await train(resumed, 5);
    await train(model, 5);
    const [a, b] = [bits(model), bits(resumed)];
    a.forEach((values, i) => values.forEach((v, j) => expect(b[i]![j]).toBeCloseTo(v, 5)));
  });
});
