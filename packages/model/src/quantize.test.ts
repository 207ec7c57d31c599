import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCnnMlpModel } from './cnn-mlp-model.js';
import { quantizeArtifacts, toFloat16 } from './quantize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

const bytesOf = (a: tf.io.ModelArtifacts) => (a.weightData as ArrayBuffer).byteLength;

describe('toFloat16', () => {
  it('rounds to nearest even, with subnormals, overflow and NaN as IEEE 754 says', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [-1e9, 0xfc00],
      [2 ** -24, 0x0001],
      [2 ** -26, 0x0000],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [Number.POSITIVE_INFINITY, 0x7c00],
    ];
    const bits = Array.from(toFloat16(Float32Array.from(cases.map(([v]) => v))));
    expect(bits.map((b) => b.toString(16))).toEqual(cases.map(([, b]) => b.toString(16)));
    expect(toFloat16(Float32Array.of(Number.NaN))[0]! & 0x7c00).toBe(0x7c00);
  });
});

describe('quantizeArtifacts', () => {
  it.each([
    ['uint8', 4, 0.03],
    ['float16', 2, 1e-3],
  ] as const)(
    '%s: 1/%i of the bytes, loads with tfjs, predicts within %f',
    async (dtype, ratio, tolerance) => {
      const model = createCnnMlpModel({ seed: 3 });
      const original = await artifactsOf(model);
      const quantized = quantizeArtifacts(original, dtype);
      expect(bytesOf(quantized)).toBeCloseTo(bytesOf(original) / ratio, -1);
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(quantized));
      const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 7);
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(tolerance);
      // Zero biases stay exactly zero.
      const bias = loaded.getLayer('conv1').getWeights()[1]!;
      expect(Array.from(bias.dataSync()).every((v) => v === 0)).toBe(true);
      tf.dispose([x, a, b]);
      model.dispose();
      loaded.dispose();
    },
  );

  it('rejects an unknown dtype and weight data that does not match its specs', async () => {
    const model = createCnnMlpModel({ seed: 3 });
    const artifacts = await artifactsOf(model);
    expect(() => quantizeArtifacts(artifacts, 'int4' as never)).toThrow(
      /dtype must be 'uint8' or 'float16', got 'int4'/,
    );
    const truncated = { ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(4) };
    expect(() => quantizeArtifacts(truncated, 'uint8')).toThrow(
      /the weight specs describe 1191592 bytes but the weight data has 1191588/,
    );
    model.dispose();
  });
});
