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

interface Op {
  name: string;
  apply(x: tf.Tensor): tf.Tensor;
  /** tfjs-core's own gradient formula. */
  formula(dy: tf.Tensor, x: tf.Tensor): tf.Tensor;
}

const OPS: Op[] = [
  { name: 'Relu', apply: tf.relu, formula: (dy, x) => tf.mul(dy, tf.cast(tf.step(x), 'float32')) },
  { name: 'Square', apply: tf.square, formula: (dy, x) => tf.mul(dy, tf.mul(x, 2)) },
];

/** The gradient of sum(op(x) * w) (on `backend`) and tfjs-core's formula for it (on cpu). */
async function gradients(op: Op, backend: string, shape: number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  const [x, w] = [mixed(size, 1, 3), mixed(size, 2, 4)];
  const [ours] = await onBackend(backend, () => [
    tf.tidy(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op.apply(t), tf.tensor(w, shape))))(tf.tensor(x, shape)),
    ),
  ]);
  const [formula] = await onBackend('cpu', () => [
    tf.tidy(() => op.formula(tf.tensor(w, shape), tf.tensor(x, shape))),
  ]);
  return { ours: signed(ours!), formula: signed(formula!) };
}

const detected = simdKernelChoice().build;
afterAll(() => setSimdKernelBuild(detected));

// 'off': no SIMD kernels, tfjs-core's formula on wasm. Sizes: whole vectors, a tail, under one vector.
describe.each(['relaxed-simd', 'simd128', 'off'] as const)(
  'elementwise gradients on wasm, %s build',
  (build) => {
    describe.each(OPS)('$name', (op) => {
      it.each([[[2, 28, 28, 32]], [[3, 7, 7, 5]], [[3]], [[1, 9, 9, 1]]])(
        'is tfjs-core formula bit for bit for x of shape %j',
        async (shape) => {
          setSimdKernelBuild(build);
          const { ours, formula } = await gradients(op, 'wasm', shape);
          expect(ours).toEqual(formula);
          expect(new Set(ours).size).toBeGreaterThan(Math.min(3, ours.length - 1));
        },
      );
    });
  },
);

describe.each(OPS)('$name gradient', (op) => {
  it('keeps the formula on cpu, and frees what it makes on wasm', async () => {
    setSimdKernelBuild(detected);
    const { ours, formula } = await gradients(op, 'cpu', [4, 5, 6]);
    expect(ours).toEqual(formula);
    await gradients(op, 'wasm', [4, 5, 6]);
    const before = tf.memory().numTensors;
    await gradients(op, 'wasm', [4, 5, 6]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a string input with the same error as tfjs on cpu', async () => {
    const attempt = async (backend: string) => {
      await tf.setBackend(backend);
      try {
        op.apply(tf.tensor(['a']));
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
