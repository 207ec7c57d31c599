import { afterAll, describe, expect, it } from 'vitest';
import { setSimdKernelBuild, simdKernelChoice } from '../simd/engine.js';
import { onBackend, randomArray, tf } from '../testing/tf.js';

// Values whose products have edge cases: NaN, infinities, signed zeros, and plain numbers of both signs.
const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 2, -3];

/** Random values with SPECIAL ones every `period` places (x and dy with coprime periods meet in every pair). */
function mixed(length: number, seed: number, period: number): Float32Array {
  const values = randomArray(length, seed);
  for (let i = 0; i < length; i += period) values[i] = SPECIAL[(i / period) % SPECIAL.length]!;
  return values;
}

/** Each value as a string that tells -0 from 0 (toEqual alone would pass them as equal). */
const signed = (values: Float32Array) => Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v)));

/** The gradient of sum(relu(x) * w) (on `backend`) and tfjs-core's own formula dy * step(x) (on cpu). */
async function gradients(backend: string, shape: number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  const [x, w] = [mixed(size, 1, 3), mixed(size, 2, 4)];
  const [ours] = await onBackend(backend, () => [
    tf.tidy(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor(w, shape))))(tf.tensor(x, shape)),
    ),
  ]);
  const [formula] = await onBackend('cpu', () => [
    tf.tidy(() => tf.mul(tf.tensor(w, shape), tf.cast(tf.step(tf.tensor(x, shape)), 'float32'))),
  ]);
  return { ours: signed(ours!), formula: signed(formula!) };
}

const detected = simdKernelChoice().build;
afterAll(() => setSimdKernelBuild(detected));

// 'off': no SIMD kernels, tfjs-core's three ops on wasm. Sizes: whole vectors, a tail, under one vector.
describe.each(['relaxed-simd', 'simd128', 'off'] as const)('ReLU gradient on wasm, %s build', (build) => {
  it.each([[[2, 28, 28, 32]], [[3, 7, 7, 5]], [[3]], [[1, 9, 9, 1]]])(
    'is tfjs-core formula bit for bit for x of shape %j',
    async (shape) => {
      setSimdKernelBuild(build);
      const { ours, formula } = await gradients('wasm', shape);
      expect(ours).toEqual(formula);
      expect(new Set(ours).size).toBeGreaterThan(Math.min(3, ours.length - 1));
    },
  );
});

describe('ReLU gradient', () => {
  it('keeps the formula on cpu, and frees what it makes on wasm', async () => {
    setSimdKernelBuild(detected);
    const { ours, formula } = await gradients('cpu', [4, 5, 6]);
    expect(ours).toEqual(formula);
    await gradients('wasm', [4, 5, 6]);
    const before = tf.memory().numTensors;
    await gradients('wasm', [4, 5, 6]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a string input with the same error as tfjs on cpu', async () => {
    const attempt = async (backend: string) => {
      await tf.setBackend(backend);
      try {
        tf.relu(tf.tensor(['a']));
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const onCpu = await attempt('cpu');
    expect(onCpu).not.toBe('no error');
    expect(await attempt('wasm')).toBe(onCpu);
  });
});
