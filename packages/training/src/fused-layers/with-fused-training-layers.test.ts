import { registerWasmTrainingKernels } from '@fmnist/backend';
// tfjs-core's own gradient, which our wasm kernels replace in the other tests (tfjs-core does not export it).
import { fusedBatchNormGradConfig as tfjsCoreBatchNormGradient } from '@tensorflow/tfjs-core/dist/gradients/FusedBatchNorm_grad.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { randomArray, tf } from '../testing/tf.js';
import { withFusedTrainingLayers } from './with-fused-training-layers.js';

// conv (linear, bias) → BN → ReLU twice, a ReLU conv, a tanh conv (not covered: tfjs-layers' path),
// global pooling, Dense: every covered layer kind beside one that is not. No dropout, so the two paths
// must agree.
function bnModel(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const input = tfl.input({ shape: [9, 7, 3] });
  let x = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: init(1) })
    .apply(input);
  x = tfl.layers.batchNormalization().apply(x);
  x = tfl.layers.activation({ activation: 'relu' }).apply(x);
  x = tfl.layers.conv2d({ filters: 6, kernelSize: 3, kernelInitializer: init(2) }).apply(x);
  x = tfl.layers.batchNormalization({ momentum: 0.9 }).apply(x);
  x = tfl.layers.activation({ activation: 'relu' }).apply(x);
  x = tfl.layers
    .conv2d({
      filters: 5,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(3),
    })
    .apply(x);
  x = tfl.layers
    .conv2d({ filters: 5, kernelSize: 1, activation: 'tanh', kernelInitializer: init(5) })
    .apply(x);
  x = tfl.layers.globalAveragePooling2d({}).apply(x);
  const output = tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(4) }).apply(x);
  return tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor });
}

// BatchNorms that must not take a following ReLU in: one read by two layers (a ReLU and a tanh), one
// followed by a tanh Activation.
function unfusedBnModel(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const input = tfl.input({ shape: [9, 7, 3] });
  const conv = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: init(6) })
    .apply(input);
  const shared = tfl.layers.batchNormalization().apply(conv);
  const relu = tfl.layers.activation({ activation: 'relu' }).apply(shared);
  const tanh = tfl.layers.activation({ activation: 'tanh' }).apply(shared);
  let x = tfl.layers.add().apply([relu, tanh] as tfl.SymbolicTensor[]);
  x = tfl.layers.batchNormalization().apply(x);
  x = tfl.layers.activation({ activation: 'tanh' }).apply(x);
  x = tfl.layers.globalAveragePooling2d({}).apply(x);
  const output = tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(7) }).apply(x);
  return tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor });
}

const batch = 5;
const images = () =>
  tf.tensor4d(
    randomArray(batch * 9 * 7 * 3, 11).map((v) => v * 4 - 1),
    [batch, 9, 7, 3],
  );
const labels = () => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1], 'int32'), 4);

/** One training step's loss gradients and the BatchNorm moving statistics it leaves. */
function step(model: tfl.LayersModel, fused: boolean) {
  return tf.tidy(() => {
    const x = images();
    const y = labels();
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const run = () =>
      tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
        variables,
      );
    const { grads } = fused ? withFusedTrainingLayers(model, run) : run();
    return {
      grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array),
      moving: model.layers
        .filter((l) => l.getClassName() === 'BatchNormalization')
        .flatMap((l) =>
          l
            .getWeights()
            .slice(-2)
            .map((w) => w.dataSync() as Float32Array),
        ),
    };
  });
}

const largest = (values: Float32Array) => Math.max(...Array.from(values, Math.abs));

function maxRelativeError(want: Float32Array, got: Float32Array, scale = largest(want)): number {
  return Math.max(...Array.from(want, (w, i) => Math.abs(w - got[i]!))) / Math.max(scale, 1e-12);
}

// Each gradient against the model's largest: a bias gradient before BatchNorm is zero but for rounding
// (1e-9 on either path, against 1e-2 for the rest), so its own scale says nothing.
function expectSameGradients(want: Float32Array[], got: Float32Array[]): void {
  const scale = Math.max(...want.map(largest));
  want.forEach((w, k) => expect(maxRelativeError(w, got[k]!, scale)).toBeLessThan(1e-5));
}

describe.each(['cpu', 'wasm'])('withFusedTrainingLayers on %s', (backend) => {
  it("gives tfjs-layers' gradients and moving statistics, and puts the layers back", async () => {
    await tf.setBackend(backend);
    const reference = bnModel();
    const fused = bnModel();
    for (let i = 0; i < 2; i++) {
      const want = step(reference, false);
      const got = step(fused, true);
      expectSameGradients(want.grads, got.grads);
      want.moving.forEach((w, k) => expect(maxRelativeError(w, got.moving[k]!)).toBeLessThan(1e-5));
    }
    expect(fused.layers.some((l) => Object.hasOwn(l, 'call'))).toBe(false);
    const x = images();
    expect(Array.from((fused.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((reference.predict(x) as tf.Tensor).dataSync()),
    );
    tf.dispose([x, reference.weights.map((w) => w.read()), fused.weights.map((w) => w.read())]);
  });

  it('skips the bias gradient of a linear Conv2D read only by a BatchNorm, and only there', async () => {
    await tf.setBackend(backend);
    // bnModel: its first two convolutions feed BatchNorms alone; the third (ReLU) and fourth (tanh) do not.
    const model = bnModel();
    const biasGradients = (target: tfl.LayersModel) => {
      const { grads } = step(target, true);
      return target.trainableWeights
        .map((w, i) => [w.name, grads[i]!] as const)
        .filter(([name]) => name.includes('conv2d') && name.endsWith('bias'))
        .map(([, g]) => g);
    };
    const [first, second, relu, tanh] = biasGradients(model);
    expect([first!.every((g) => g === 0), second!.every((g) => g === 0)]).toEqual([true, true]);
    expect([largest(relu!) > 1e-6, largest(tanh!) > 1e-6]).toEqual([true, true]);
    // A convolution read by its BatchNorm and by another layer keeps its bias gradient.
    const input = tfl.input({ shape: [9, 7, 3] });
    const conv = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 9 }) })
      .apply(input) as tfl.SymbolicTensor;
    const normed = tfl.layers.batchNormalization().apply(conv) as tfl.SymbolicTensor;
    const summed = tfl.layers.add().apply([conv, normed]);
    const pooled = tfl.layers.globalAveragePooling2d({}).apply(summed);
    const shared = tfl.model({
      inputs: input,
      outputs: tfl.layers.dense({ units: 4, activation: 'softmax' }).apply(pooled) as tfl.SymbolicTensor,
    });
    const [sharedBias] = biasGradients(shared);
    expect(largest(sharedBias!)).toBeGreaterThan(1e-6);
    // A BatchNorm frozen to inference mode by a call of its own normalizes by its moving statistics.
    const frozen = bnModel();
    const norm = frozen.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    type Call = (inputs: unknown, kwargs: Record<string, unknown>) => unknown;
    const normCall = (norm as unknown as { call: Call }).call.bind(norm);
    (norm as unknown as { call: Call }).call = (inputs, kwargs) =>
      normCall(inputs, { ...kwargs, training: false });
    const [frozenBias, secondBias] = biasGradients(frozen);
    expect([largest(frozenBias!) > 1e-6, secondBias!.every((g) => g === 0)]).toEqual([true, true]);
    tf.dispose([model.weights.map((w) => w.read()), shared.weights.map((w) => w.read())]);
    tf.dispose(frozen.weights.map((w) => w.read()));
  });

  it('keeps a ReLU apart from a BatchNorm other layers read too, and a BatchNorm before another activation', async () => {
    await tf.setBackend(backend);
    const reference = unfusedBnModel();
    const fused = unfusedBnModel();
    const want = step(reference, false);
    const profile = await tf.profile(() => {
      const got = step(fused, true);
      expectSameGradients(want.grads, got.grads);
      want.moving.forEach((w, k) => expect(maxRelativeError(w, got.moving[k]!)).toBeLessThan(1e-5));
    });
    const ran = (name: string) => profile.kernels.filter((k) => k.name === name).length;
    expect([ran('FmnistBatchNormRelu'), ran('Relu')]).toEqual([0, 1]);
    expect(fused.layers.some((l) => Object.hasOwn(l, 'call'))).toBe(false);
  });

  it('keeps a BatchNorm apart from its ReLU when the model also returns it, or the ReLU is outside the model', async () => {
    await tf.setBackend(backend);
    // Outputs [BatchNorm, softmax after its ReLU]; a loss on both, so the BatchNorm output's own gradient counts.
    const twoOutputs = () => {
      const input = tfl.input({ shape: [9, 7, 3] });
      const conv = tfl.layers
        .conv2d({ filters: 4, kernelSize: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 8 }) })
        .apply(input);
      const normed = tfl.layers.batchNormalization().apply(conv) as tfl.SymbolicTensor;
      const relu = tfl.layers.activation({ activation: 'relu' }).apply(normed);
      const pooled = tfl.layers.globalAveragePooling2d({}).apply(relu);
      const probabilities = tfl.layers.dense({ units: 4, activation: 'softmax' }).apply(pooled);
      return tfl.model({ inputs: input, outputs: [normed, probabilities as tfl.SymbolicTensor] });
    };
    const gradients = (model: tfl.LayersModel, fused: boolean) =>
      tf.tidy(() => {
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const run = () =>
          tf.variableGrads(() => {
            const [normed, probabilities] = model.apply(images(), { training: true }) as tf.Tensor[];
            return tf.add(tf.losses.softmaxCrossEntropy(labels(), probabilities!), tf.mean(normed!));
          }, variables);
        const { grads } = fused ? withFusedTrainingLayers(model, run) : run();
        return variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
      });
    const reference = twoOutputs();
    const fused = twoOutputs();
    fused.setWeights(reference.getWeights());
    const want = gradients(reference, false);
    const profile = await tf.profile(() => expectSameGradients(want, gradients(fused, true)));
    expect(profile.kernels.filter((k) => k.name === 'FmnistBatchNormRelu')).toHaveLength(0);
    // A model of the first layers, ending at a BatchNorm whose ReLU only the whole model holds.
    const whole = bnModel();
    const features = tfl.model({
      inputs: whole.inputs,
      outputs: whole.layers[2]!.output as tfl.SymbolicTensor,
    });
    const x = images();
    const plain = features.apply(x, { training: true }) as tf.Tensor;
    const viaFused = withFusedTrainingLayers(
      features,
      () => features.apply(x, { training: true }) as tf.Tensor,
    );
    expect(tf.min(plain).dataSync()[0]).toBeLessThan(0);
    expect(
      maxRelativeError(plain.dataSync() as Float32Array, viaFused.dataSync() as Float32Array),
    ).toBeLessThan(1e-5);
    tf.dispose([x, plain, viaFused]);
  });

  it("skips the images' gradient, keeps tensors flat and restores the layers when the step throws", async () => {
    await tf.setBackend(backend);
    const model = bnModel();
    step(model, true);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      step(model, true);
    });
    expect(tf.memory().numTensors).toBe(before);
    const ran = (name: string) => profile.kernels.filter((k) => k.name === name).length;
    // Four convolutions, four filter gradients, three input gradients: none for the first layer's input.
    expect([ran('FusedConv2D'), ran('Conv2DBackpropFilter'), ran('Conv2DBackpropInput')]).toEqual([4, 4, 3]);
    // On wasm, each BatchNorm's statistics and its gradient are one call of our kernels each (tfjs-layers'
    // path never calls them); elsewhere tf.moments' kernels and the registered FusedBatchNorm gradient.
    // Each BatchNorm → ReLU pair is one kernel forward there too (the ReLU Activation passes it on).
    const batchNormKernels = [
      'FmnistBatchNormMoments',
      'FmnistBatchNormTrainingGradient',
      'FmnistBatchNormRelu',
      'SquaredDifference',
      'Relu',
    ];
    expect(batchNormKernels.map(ran)).toEqual(backend === 'wasm' ? [2, 2, 2, 0, 0] : [0, 0, 0, 2, 2]);
    expect(() =>
      withFusedTrainingLayers(model, () => {
        throw new Error('step failed');
      }),
    ).toThrow('step failed');
    expect(model.layers.some((l) => Object.hasOwn(l, 'call'))).toBe(false);
  });
});

describe("withFusedTrainingLayers with tfjs-core's own BatchNorm gradient (cpu, tensorflow)", () => {
  afterAll(() => registerWasmTrainingKernels());

  it('differentiates a BatchNorm after a Dense layer (rank 2) and after a 1D convolution (rank 3)', async () => {
    await tf.setBackend('cpu');
    tf.registerGradient(tfjsCoreBatchNormGradient);
    const build = () =>
      tfl.sequential({
        layers: [
          tfl.layers.conv1d({
            inputShape: [6, 2],
            filters: 3,
            kernelSize: 2,
            kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
          }),
          tfl.layers.batchNormalization(),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 5, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
          tfl.layers.batchNormalization(),
          tfl.layers.dense({
            units: 4,
            activation: 'softmax',
            kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
          }),
        ],
      });
    const x = tf.tensor3d(randomArray(batch * 12, 3), [batch, 6, 2]);
    const gradients = (model: tfl.LayersModel, fused: boolean) =>
      tf.tidy(() => {
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const run = () =>
          tf.variableGrads(
            () => tf.losses.softmaxCrossEntropy(labels(), model.apply(x, { training: true }) as tf.Tensor),
            variables,
          );
        const { grads } = fused ? withFusedTrainingLayers(model, run) : run();
        return variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
      });
    const want = gradients(build(), false);
    const got = gradients(build(), true);
    expectSameGradients(want, got);
    x.dispose();
  });
});

describe('withFusedTrainingLayers: dropout', () => {
  afterAll(() => tf.setBackend('cpu'));

  const dropoutModel = (seed?: number) =>
    tfl.sequential({
      layers: [
        tfl.layers.dropout({ inputShape: [40, 50, 10], rate: 0.3, seed }),
        tfl.layers.dropout({ rate: 0.5, noiseShape: [null, 1, 1, 10] as unknown as number[] }),
      ],
    });

  it('keeps 1 − rate of the values, scaled by 1/(1 − rate), reproducibly from a seed, and passes inference through', async () => {
    await tf.setBackend('wasm');
    const ones = tf.ones([4, 40, 50, 10]);
    const model = dropoutModel(7);
    const first = withFusedTrainingLayers(model, () => model.apply(ones, { training: true }) as tf.Tensor);
    const values = first.dataSync();
    // Both masks: 0.7 × 0.5 of the values kept, each 1/0.7 × 1/0.5. The second mask is per image and
    // channel (noise shape [null, 1, 1, 10]): each of those 40 slices is all zeros or keeps about 0.7.
    const kept = values.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(Math.fround(1 / Math.fround(0.7)) * 2)]));
    const slices = Array.from({ length: 40 }, (_, s) => {
      const [image, channel] = [Math.floor(s / 10), s % 10];
      const slice = Array.from({ length: 2000 }, (_, p) => values[image * 20_000 + p * 10 + channel]!);
      return slice.filter((v) => v !== 0).length / 2000;
    });
    const open = slices.filter((share) => share > 0);
    expect(open.length).toBeGreaterThan(5);
    expect(open.length).toBeLessThan(35);
    for (const share of open) expect(Math.abs(share - 0.7)).toBeLessThan(0.05);
    const seededMask = (seed: number) => {
      const layer = tfl.sequential({
        layers: [tfl.layers.dropout({ inputShape: [40, 50, 10], rate: 0.3, seed })],
      });
      const out = withFusedTrainingLayers(layer, () => layer.apply(ones, { training: true }) as tf.Tensor);
      const mask = Array.from(out.dataSync(), (v) => v !== 0);
      out.dispose();
      return mask;
    };
    expect(seededMask(7)).toEqual(seededMask(7));
    expect(seededMask(8)).not.toEqual(seededMask(7));
    // The gradient goes through the mask: d sum(dropout(x)) / dx is the mask itself (x is all ones).
    const seeded = tfl.sequential({
      layers: [tfl.layers.dropout({ inputShape: [40, 50, 10], rate: 0.3, seed: 3 })],
    });
    const [forward, backward] = withFusedTrainingLayers(seeded, () => {
      const out = seeded.apply(ones, { training: true }) as tf.Tensor;
      return [out, tf.grad((x: tf.Tensor) => tf.sum(seeded.apply(x, { training: true }) as tf.Tensor))(ones)];
    });
    expect(Array.from(backward!.dataSync())).toEqual(Array.from(forward!.dataSync()));
    tf.dispose([forward!, backward!]);
    const inference = model.apply(ones, { training: false }) as tf.Tensor;
    expect(inference.dataSync().every((v) => v === 1)).toBe(true);
    tf.dispose([ones, first, inference]);
  });
});
