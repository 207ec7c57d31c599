import { describe, expect, it } from 'vitest';
import { loadCheckpoint, loadCheckpointTensors, saveCheckpoint } from './checkpoint.js';
import { IoError } from './errors.js';
import { memoryCheckpointStore } from './memory-checkpoint-store.js';
import { cpuTests, tf, tfl, tinyModel } from './testing/models.js';

cpuTests();

describe('saveCheckpoint and loadCheckpoint', () => {
  it('keeps named tensor lists beside the weights, and rejects a name that could clash', async () => {
    const store = memoryCheckpointStore();
    const model = tinyModel();
    const list = [tf.tensor1d([1, 2, 3]), tf.tensor2d([[4], [5]])];
    await saveCheckpoint(store, 'extra', model, { tensors: { ema: list, best: undefined } });
    const back = await loadCheckpointTensors(store, 'extra', 'ema');
    expect(back?.map((t) => Array.from(t.dataSync()))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(back?.map((t) => t.shape)).toEqual([[3], [2, 1]]);
    expect(await loadCheckpointTensors(store, 'extra', 'other')).toBeUndefined();
    expect(await loadCheckpointTensors(store, 'extra', 'best')).toBeUndefined();
    await expect(saveCheckpoint(store, 'bad', model, { tensors: { weights: list } })).rejects.toThrow(
      new IoError("saveCheckpoint: tensors name 'weights' is taken by the checkpoint's own files"),
    );
    await expect(saveCheckpoint(store, 'bad', model, { tensors: { '../x': list } })).rejects.toThrow(
      "saveCheckpoint: tensors name '../x' must be lowercase letters, digits and dashes",
    );
    expect(await store.has('bad')).toBe(false);
    tf.dispose([...list, ...(back ?? [])]);
  });

  it('refuses optimizer state of another optimizer class, and state for a model not compiled', async () => {
    const store = memoryCheckpointStore();
    await saveCheckpoint(store, 'sgd', tinyModel(tf.train.sgd(0.1)));
    await expect(loadCheckpoint(store, 'sgd', tinyModel(tf.train.adam(0.1)))).rejects.toThrow(
      new IoError("memory:sgd: optimizer state of a SGD, but the model's optimizer is a Adam"),
    );
    const bare = tfl.sequential({
      layers: [tfl.layers.dense({ units: 4, inputShape: [3] }), tfl.layers.dense({ units: 2 })],
    });
    await expect(loadCheckpoint(store, 'sgd', bare)).rejects.toThrow(
      new IoError('memory:sgd: the checkpoint has optimizer state but the model is not compiled'),
    );
  });

  it('restores a learning rate a callback changed, and leaves the optimizer out when asked', async () => {
    const store = memoryCheckpointStore();
    const model = tinyModel(tf.train.adam(0.01));
    (model.optimizer as unknown as { learningRate: number }).learningRate = 0.00125;
    await saveCheckpoint(store, 'lr', model);
    const resumed = tinyModel(tf.train.adam(0.01));
    await loadCheckpoint(store, 'lr', resumed);
    expect((resumed.optimizer as unknown as { learningRate: number }).learningRate).toBe(0.00125);
    await saveCheckpoint(store, 'weights-only', model, { includeOptimizer: false });
    expect(Object.keys((await store.read('weights-only')) ?? {}).sort()).toEqual([
      'checksums.json',
      'model.json',
      'weights.bin',
    ]);
    expect(await loadCheckpoint(store, 'weights-only', tinyModel())).toBeUndefined();
  });

  it('names a checkpoint whose weights do not fit the model, and a state file that is not JSON', async () => {
    const store = memoryCheckpointStore();
    await saveCheckpoint(store, 'ckpt', tinyModel());
    const wider = tfl.sequential({ layers: [tfl.layers.dense({ units: 5, inputShape: [3] })] });
    const error = await loadCheckpoint(store, 'ckpt', wider).catch((e: unknown) => e);
    expect(error).toEqual(new IoError("memory:ckpt: the checkpoint's weights do not fit this model"));
    expect((error as Error).cause).toBeInstanceOf(Error);
    const files = (await store.read('ckpt'))!;
    await store.write('ckpt', { ...files, 'state.json': '{ cut' });
    await expect(loadCheckpoint(store, 'ckpt', tinyModel())).rejects.toThrow(
      new IoError('memory:ckpt/state.json: not JSON'),
    );
  });
});
