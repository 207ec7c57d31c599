import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxError } from './errors.js';
import { saveOnnx } from './node/save-onnx.js';
import { agreement, runOnnx, toNchw } from './testing/onnx-runtime.js';
import { createUserModel, numbers } from './testing/user-model.js';
import { toOnnx } from './to-onnx.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const IMAGES = 64;

function tfjsOutputs(model: tfl.LayersModel, pixels: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(
    () => (model.predict(tf.tensor(pixels, [IMAGES, ...shape])) as tf.Tensor).dataSync() as Float32Array,
  );
}

/** How many nodes of `opType` the file holds (op types are stored as plain strings). */
function countOps(bytes: Uint8Array, opType: string): number {
  return Buffer.from(bytes).toString('latin1').split(opType).length - 1;
}

describe('a user model (16x16 RGB, 4 classes, functional, BatchNorm) in ONNX Runtime', () => {
  const model = createUserModel();
  const pixels = numbers(IMAGES * 16 * 16 * 3, 7);
  const expected = tfjsOutputs(model, pixels, [16, 16, 3]);

  it.each([true, false])('matches tfjs with NHWC input, foldBatchNorm %s', async (foldBatchNorm) => {
    const bytes = toOnnx(model, { foldBatchNorm });
    // Three of the four BatchNorms follow a Conv or Dense without activation; the fourth stays.
    expect(countOps(bytes, 'BatchNormalization')).toBe(foldBatchNorm ? 1 : 4);
    const { sameTop1, maxDiff } = agreement(expected, await runOnnx(bytes, pixels, [16, 16, 3]), 4);
    expect(sameTop1).toBe(1);
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('matches tfjs with NCHW input, at opset 17', async () => {
    const bytes = toOnnx(model, { inputLayout: 'NCHW', opset: 17 });
    const outputs = await runOnnx(bytes, toNchw(pixels, [16, 16, 3]), [3, 16, 16]);
    expect(agreement(expected, outputs, 4).maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    toOnnx(model);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a Sequential model', () => {
  it('matches tfjs, activations and pooling included', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu6' }),
        tfl.layers.averagePooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'mish' }),
        tfl.layers.globalMaxPooling2d({}),
        tfl.layers.dense({ units: 5, activation: 'selu' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const pixels = numbers(IMAGES * 144, 3);
    const outputs = await runOnnx(toOnnx(model), pixels, [12, 12, 1]);
    expect(agreement(tfjsOutputs(model, pixels, [12, 12, 1]), outputs, 3).maxDiff).toBeLessThanOrEqual(1e-5);
  });
});

describe('activations and the less common layer forms', () => {
  const ACTIVATIONS = [
    'linear',
    'relu',
    'relu6',
    'elu',
    'selu',
    'sigmoid',
    'hardSigmoid',
    'tanh',
    'softplus',
    'softsign',
    'softmax',
    'logSoftmax',
    'swish',
    'mish',
  ] as const;

  it.each(ACTIVATIONS)('writes the %s activation as tfjs computes it', async (activation) => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          inputShape: [6],
          units: 5,
          // tfjs accepts 'logSoftmax' at run time; its ActivationIdentifier type omits it.
          activation: activation as 'linear',
          biasInitializer: 'randomNormal',
        }),
      ],
    });
    const inputs = numbers(IMAGES * 6, 11, -4, 4);
    const outputs = await runOnnx(toOnnx(model), inputs, [6]);
    expect(agreement(tfjsOutputs(model, inputs, [6]), outputs, 5).maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('maps channel axes and tfjs order through images: Softmax, Dense and Multiply on rank 4, dilation, ReLU caps', async () => {
    const L = tfl.layers;
    const input = tfl.input({ shape: [10, 10, 2] });
    const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) =>
      layer.apply(x) as tfl.SymbolicTensor;
    const conv = apply(L.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' }), input);
    const probabilities = apply(L.softmax({ axis: -1 }), conv);
    const capped = apply(L.reLU({ maxValue: 0.5 }), conv);
    const mixed = apply(L.multiply(), [probabilities, capped]);
    const elu = apply(L.elu({}), mixed);
    const dense = apply(L.dense({ units: 3 }), elu); // on [n,10,10,4]: over the channels, as tfjs does
    const model = tfl.model({ inputs: input, outputs: apply(L.flatten(), dense) });
    const pixels = numbers(IMAGES * 200, 5);
    const outputs = await runOnnx(toOnnx(model), pixels, [10, 10, 2]);
    expect(agreement(tfjsOutputs(model, pixels, [10, 10, 2]), outputs, 300).maxDiff).toBeLessThanOrEqual(
      1e-5,
    );
  });
});

describe('image outputs', () => {
  it('come out in the layout chosen for images, NHWC or NCHW', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same' }),
        tfl.layers.dense({ units: 4 }), // leaves the image in tfjs's order inside the graph
      ],
    });
    const pixels = numbers(IMAGES * 72, 9);
    const expected = tfjsOutputs(model, pixels, [6, 6, 2]);
    const nhwc = await runOnnx(toOnnx(model), pixels, [6, 6, 2]);
    expect(agreement(expected, nhwc, 144).maxDiff).toBeLessThanOrEqual(1e-5);
    const nchw = await runOnnx(toOnnx(model, { inputLayout: 'NCHW' }), toNchw(pixels, [6, 6, 2]), [2, 6, 6]);
    expect(agreement(toNchw(expected, [6, 6, 4]), nchw, 144).maxDiff).toBeLessThanOrEqual(1e-5);
  });
});

describe('what toOnnx refuses', () => {
  const withLayer = (layer: tfl.layers.Layer) =>
    tfl.sequential({
      layers: [tfl.layers.inputLayer({ inputShape: [8, 8, 2] }), layer, tfl.layers.flatten()],
    });

  it('a layer it does not convert, by class and name, writing nothing', async () => {
    const model = withLayer(tfl.layers.depthwiseConv2d({ kernelSize: 3, name: 'depthwise' }));
    expect(() => toOnnx(model)).toThrow(OnnxError);
    expect(() => toOnnx(model)).toThrow(/layer 'depthwise' \(DepthwiseConv2D\) has no ONNX conversion/);
    const file = join(mkdtempSync(join(tmpdir(), 'fmnist-onnx-')), 'model.onnx');
    await expect(saveOnnx(model, file)).rejects.toThrow(/DepthwiseConv2D/);
    expect(existsSync(file)).toBe(false);
  });

  it('an activation it does not write, naming the layer', () => {
    const model = withLayer(tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'gelu', name: 'g' }));
    expect(() => toOnnx(model)).toThrow(/layer 'g' \(Conv2D\): activation 'gelu' has no ONNX conversion/);
  });

  it('a channels-first layer, an opset or a layout it does not write', () => {
    const model = withLayer(
      tfl.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst', name: 'cf' }),
    );
    expect(() => toOnnx(model)).toThrow(/layer 'cf' \(MaxPooling2D\): dataFormat must be "channelsLast"/);
    const plain = withLayer(tfl.layers.dropout({ rate: 0.1 }));
    expect(() => toOnnx(plain, { opset: 12 })).toThrow(/opset must be one of 13, 14, 15, 16, 17, got 12/);
    // @ts-expect-error: a layout from plain JavaScript
    expect(() => toOnnx(plain, { inputLayout: 'HWC' })).toThrow(
      /inputLayout must be 'NHWC' or 'NCHW', got "HWC"/,
    );
  });
});
