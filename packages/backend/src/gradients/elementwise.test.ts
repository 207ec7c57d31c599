import { afterAll, describe, expect, it } from 'vitest';
import { setSimdKernelBuild, simdKernelChoice } from '../simd/engine.js';
import { signedValues, withSpecialValues } from '../testing/special-values.js';
import { errorOn, onBackend, tf } from '../testing/tf.js';

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
  const [x, w] = [withSpecialValues(size, 1, 3), withSpecialValues(size, 2, 4)];
  const [ours] = await onBackend(backend, () => [
    tf.tidy(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op.apply(t), tf.tensor(w, shape))))(tf.tensor(x, shape)),
    ),
  ]);
  const [formula] = await onBackend('cpu', () => [
    tf.tidy(() => op.formula(tf.tensor(w, shape), tf.tensor(x, shape))),
  ]);
  return { ours: signedValues(ours!), formula: signedValues(formula!) };
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
    const attempt = (backend: string) => errorOn(backend, () => op.apply(tf.tensor(['a'])));
    const onCpu = await attempt('cpu');
    expect(onCpu).not.toBe('no error');
    expect(await attempt('wasm')).toBe(onCpu);
  });
});
