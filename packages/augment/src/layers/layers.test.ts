import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AugmentError } from '../errors.js';
import {
  RandomBrightness,
  RandomContrast,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
} from '../layers.js';

beforeAll(() => tf.setBackend('cpu'));

/** `n` images of size×size, pixel (r, c) of image i = 100·i + 10·r + c. */
function grid(n: number, size: number): tf.Tensor4D {
  const values = Array.from({ length: n * size * size }, (_, p) => {
    const i = Math.floor(p / (size * size));
    const r = Math.floor((p % (size * size)) / size);
    return 100 * i + 10 * r + (p % size);
  });
  return tf.tensor4d(values, [n, size, size, 1]);
}

/** Image `i` of a batch as rows. */
function rows(t: tf.Tensor, i = 0): number[][] {
  return (t.arraySync() as number[][][][])[i]!.map((row) => row.map((px) => px[0]!));
}

function training(layer: tfl.layers.Layer, x: tf.Tensor): tf.Tensor {
  return layer.apply(x, { training: true }) as tf.Tensor;
}

describe('Keras preprocessing layers', () => {
  const layers = () => [
    new RandomFlip({ seed: 1 }),
    new RandomTranslation({ heightFactor: 0.2, widthFactor: 0.2, seed: 1 }),
    new RandomRotation({ factor: 0.1, seed: 1 }),
    new RandomZoom({ heightFactor: 0.2, seed: 1 }),
    new RandomContrast({ factor: 0.3, seed: 1 }),
    new RandomBrightness({ factor: 0.2, seed: 1 }),
  ];

  it('are the identity at inference and change images in training', () => {
    const x = grid(4, 6);
    for (const layer of layers()) {
      const inference = layer.apply(x) as tf.Tensor;
      expect(inference.arraySync(), layer.getClassName()).toEqual(x.arraySync());
      const trained = training(layer, x);
      expect(trained.shape).toEqual(x.shape);
      expect(trained.arraySync(), layer.getClassName()).not.toEqual(x.arraySync());
      tf.dispose([inference, trained]);
    }
    x.dispose();
  });

  it('draw from their seed: the same seed gives the same augmentations', () => {
    const x = grid(4, 6);
    const a = training(new RandomRotation({ factor: 0.2, seed: 7 }), x);
    const b = training(new RandomRotation({ factor: 0.2, seed: 7 }), x);
    expect(a.arraySync()).toEqual(b.arraySync());
    tf.dispose([x, a, b]);
  });

  it('RandomFlip mirrors each image left-right or not (mode horizontal)', () => {
    const x = grid(16, 3);
    const out = training(new RandomFlip({ mode: 'horizontal', seed: 3 }), x);
    let flipped = 0;
    for (let i = 0; i < 16; i++) {
      const original = rows(x, i);
      const mirrored = original.map((row) => [...row].reverse());
      expect([original, mirrored]).toContainEqual(rows(out, i));
      if (rows(out, i)[0]![0] === mirrored[0]![0]) flipped++;
    }
    expect(flipped).toBeGreaterThan(2);
    expect(flipped).toBeLessThan(14);
    tf.dispose([x, out]);
  });

  it("RandomTranslation shifts down and right for positive factors (Keras's sign)", () => {
    const x = grid(1, 4);
    const layer = new RandomTranslation({
      heightFactor: [0.25, 0.25],
      widthFactor: [-0.25, -0.25],
      fillMode: 'constant',
      fillValue: -1,
      interpolation: 'nearest',
    });
    const out = training(layer, x);
    expect(rows(out)).toEqual([
      [-1, -1, -1, -1],
      [1, 2, 3, -1],
      [11, 12, 13, -1],
      [21, 22, 23, -1],
    ]);
    tf.dispose([x, out]);
  });

  it('RandomRotation turns counter-clockwise for positive factors (a quarter turn exactly)', () => {
    const x = grid(1, 3);
    const out = training(new RandomRotation({ factor: [0.25, 0.25], interpolation: 'nearest' }), x);
    // out[r][c] = in[c][n - 1 - r]: the top-right corner moves to the top-left.
    expect(rows(out)).toEqual([
      [2, 12, 22],
      [1, 11, 21],
      [0, 10, 20],
    ]);
    tf.dispose([x, out]);
  });

  it('RandomZoom zooms in for negative factors, keeping the aspect ratio without widthFactor', () => {
    const x = grid(1, 5);
    const out = training(new RandomZoom({ heightFactor: [-0.5, -0.5], interpolation: 'nearest' }), x);
    const r = rows(out);
    // Output (y, x) reads input (0.5·y + 1, 0.5·x + 1).
    expect([r[0]![0], r[2]![2], r[4]![4]]).toEqual([11, 22, 33]);
    tf.dispose([x, out]);
  });

  it('RandomContrast keeps each image mean and scales its spread within [1 - f, 1 + f]', () => {
    const x = tf.tensor4d(
      Array.from({ length: 8 * 16 }, (_, p) => 100 + 40 * Math.sin(p)),
      [8, 4, 4, 1],
    );
    const out = training(new RandomContrast({ factor: 0.4, seed: 2 }), x);
    const stats = (t: tf.Tensor) =>
      tf.tidy(() => {
        const { mean, variance } = tf.moments(t, [1, 2, 3]);
        return { mean: mean.arraySync() as number[], std: tf.sqrt(variance).arraySync() as number[] };
      });
    const before = stats(x);
    const after = stats(out);
    for (let i = 0; i < 8; i++) {
      expect(after.mean[i]).toBeCloseTo(before.mean[i]!, 3);
      const ratio = after.std[i]! / before.std[i]!;
      expect(ratio).toBeGreaterThanOrEqual(0.6 - 1e-4);
      expect(ratio).toBeLessThanOrEqual(1.4 + 1e-4);
    }
    tf.dispose([x, out]);
  });

  it('RandomBrightness adds factor × the value range, clipped to it', () => {
    const x = tf.tensor4d([0, 100, 250, 255], [1, 2, 2, 1]);
    const out = training(new RandomBrightness({ factor: [0.1, 0.1] }), x);
    expect(Array.from(out.dataSync())).toEqual([25.5, 125.5, 255, 255]);
    const unit = training(
      new RandomBrightness({ factor: [-0.5, -0.5], valueRange: [0, 1] }),
      tf.fill([1, 1, 2, 1], 0.75),
    );
    expect(Array.from(unit.dataSync())).toEqual([0.25, 0.25]);
    tf.dispose([x, out, unit]);
  });

  it.each([
    [
      () => new RandomTranslation({ heightFactor: 1.5, widthFactor: 0 }),
      /RandomTranslation: heightFactor must be a number or \[lower, upper\] with -1 ≤ lower ≤ upper ≤ 1, got 1.5/,
    ],
    [
      () => new RandomTranslation({ heightFactor: [0.2, 0.1], widthFactor: 0 }),
      /heightFactor .* got \[0.2,0.1\]/,
    ],
    [
      () => new RandomZoom({ heightFactor: 0.2, fillMode: 'mirror' as never }),
      /RandomZoom: unknown fillMode 'mirror'; expected one of constant, nearest, reflect, wrap/,
    ],
    [() => new RandomZoom({ heightFactor: [-1, 0] }), /RandomZoom: heightFactor must be/],
    [
      () => new RandomRotation({ factor: 0.1, interpolation: 'cubic' as never }),
      /RandomRotation: interpolation must be 'bilinear' or 'nearest', got 'cubic'/,
    ],
    [
      () => new RandomContrast({ factor: 1.5 }),
      /RandomContrast: factor must be a number or \[lower, upper\] with 0 ≤ lower ≤ upper ≤ 1, got 1.5/,
    ],
    [
      () => new RandomBrightness({ factor: 0.1, valueRange: [1, 0] }),
      /RandomBrightness: valueRange must be \[low, high\] with low < high/,
    ],
    [
      () => new RandomFlip({ mode: 'diagonal' as never }),
      /RandomFlip: mode must be one of horizontal, vertical, horizontal_and_vertical, got 'diagonal'/,
    ],
    [
      () => new RandomFlip({ dataFormat: 'channels_first' } as never),
      /RandomFlip: only dataFormat 'channels_last' is supported, got 'channels_first'/,
    ],
    [() => new RandomFlip({ seed: -1 }), /RandomFlip: seed must be an integer ≥ 0, got -1/],
  ])('reject an out-of-range config when made, naming the argument (%#)', (make, message) => {
    expect(make).toThrow(AugmentError);
    expect(make).toThrow(message);
  });
});

describe('Keras preprocessing layers in models', () => {
  function withAugmentation() {
    return tfl.sequential({
      layers: [
        tfl.layers.inputLayer({ inputShape: [6, 6, 1] }),
        new RandomFlip({ mode: 'horizontal', seed: 1 }),
        new RandomTranslation({ heightFactor: 0.1, widthFactor: [-0.1, 0.2], fillMode: 'nearest', seed: 2 }),
        new RandomRotation({ factor: 0.05, fillMode: 'constant', fillValue: 3, seed: 3 }),
        new RandomZoom({ heightFactor: [-0.1, 0.1], widthFactor: 0.1, interpolation: 'nearest', seed: 4 }),
        new RandomContrast({ factor: [0.1, 0.2], seed: 5 }),
        new RandomBrightness({ factor: 0.1, valueRange: [0, 255], seed: 6 }),
        tfl.layers.rescaling({ scale: 1 / 255 }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 3,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
      ],
    });
  }

  it('train with model.fit without leaving tensors behind', async () => {
    const model = withAugmentation();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const xs = grid(6, 6);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    await model.fit(xs, ys, { epochs: 1, batchSize: 3, verbose: 0 });
    const before = tf.memory().numTensors;
    const history = await model.fit(xs, ys, { epochs: 2, batchSize: 3, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
  });

  it("save under Keras's class names and snake_case configs, and load back", async () => {
    const model = withAugmentation();
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const topology = saved!.modelTopology as {
      config: { layers: { class_name: string; config: Record<string, unknown> }[] };
    };
    const byClass = Object.fromEntries(topology.config.layers.map((l) => [l.class_name, l.config]));
    expect(byClass.RandomFlip).toMatchObject({ mode: 'horizontal', seed: 1 });
    expect(byClass.RandomTranslation).toMatchObject({
      height_factor: 0.1,
      width_factor: [-0.1, 0.2],
      fill_mode: 'nearest',
      interpolation: 'bilinear',
      fill_value: 0,
      seed: 2,
    });
    expect(byClass.RandomZoom).toMatchObject({ height_factor: [-0.1, 0.1], width_factor: 0.1 });
    expect(byClass.RandomBrightness).toMatchObject({ factor: 0.1, value_range: [0, 255] });
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    const x = grid(2, 6);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('load a model.json converted from Keras with augmentation layers (tfjs#4390)', async () => {
    // What tensorflowjs_converter writes for a Keras 2.x Sequential with preprocessing layers.
    const layer = (class_name: string, config: Record<string, unknown>) => ({
      class_name,
      config: { trainable: true, dtype: 'float32', ...config },
    });
    const modelTopology = {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          {
            class_name: 'InputLayer',
            config: {
              batch_input_shape: [null, 28, 28, 1],
              dtype: 'float32',
              sparse: false,
              ragged: false,
              name: 'input_1',
            },
          },
          layer('Rescaling', { name: 'rescaling', scale: 0.00392156862745098, offset: 0.0 }),
          layer('RandomFlip', { name: 'random_flip', mode: 'horizontal', seed: null }),
          layer('RandomRotation', {
            name: 'random_rotation',
            factor: 0.1,
            fill_mode: 'reflect',
            fill_value: 0.0,
            interpolation: 'bilinear',
            seed: null,
          }),
          layer('RandomZoom', {
            name: 'random_zoom',
            height_factor: 0.1,
            width_factor: null,
            fill_mode: 'reflect',
            fill_value: 0.0,
            interpolation: 'bilinear',
            seed: null,
          }),
          layer('RandomTranslation', {
            name: 'random_translation',
            height_factor: 0.1,
            width_factor: 0.1,
            fill_mode: 'reflect',
            fill_value: 0.0,
            interpolation: 'bilinear',
            seed: null,
          }),
          layer('RandomContrast', { name: 'random_contrast', factor: 0.2, seed: null }),
          layer('Flatten', { name: 'flatten', data_format: 'channels_last' }),
          layer('Dense', {
            name: 'dense',
            units: 10,
            activation: 'softmax',
            use_bias: true,
            kernel_initializer: { class_name: 'Zeros', config: {} },
            bias_initializer: { class_name: 'Zeros', config: {} },
            kernel_regularizer: null,
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
          }),
        ],
      },
      keras_version: '2.15.0',
      backend: 'tensorflow',
    };
    const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology }));
    expect(model.layers.map((l) => l.getClassName()).filter((name) => name !== 'InputLayer')).toEqual([
      'Rescaling',
      'RandomFlip',
      'RandomRotation',
      'RandomZoom',
      'RandomTranslation',
      'RandomContrast',
      'Flatten',
      'Dense',
    ]);
    const x = tf.zeros([1, 28, 28, 1]);
    const y = model.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync()).every((p) => Math.abs(p - 0.1) < 1e-6)).toBe(true);
    tf.dispose([x, y]);
  });
});
