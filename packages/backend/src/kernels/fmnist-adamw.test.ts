import { describe, expect, it } from 'vitest';
import { BackendError } from '../errors.js';
import { simdKernelsFor } from '../simd/engine.js';
import { randomArray, tf } from '../testing/tf.js';
import { ADAMW_KERNEL, adamWInJavaScript } from './fmnist-adamw.js';

const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, stepSize: 2.7e-3, decay: 1 - 3e-3 * 0.01 };

/** The AdamW step as @fmnist/model's optimizer writes it in tfjs ops (its path without our kernel). */
function stepInOps(
  value: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  vMax?: tf.Tensor,
): Float32Array[] {
  return tf.tidy(() => {
    const mNew = tf.add(tf.mul(m, attrs.beta1), tf.mul(g, 1 - attrs.beta1));
    const vNew = tf.add(tf.mul(v, attrs.beta2), tf.mul(tf.square(g), 1 - attrs.beta2));
    const second = vMax ? tf.maximum(vMax, vNew) : vNew;
    const ratio = tf.div(mNew, tf.add(tf.sqrt(second), attrs.epsilon));
    const newValue = tf.sub(tf.mul(value, attrs.decay), tf.mul(ratio, attrs.stepSize));
    return [newValue, mNew, vNew, ...(vMax ? [second] : [])].map((t) => t.dataSync() as Float32Array);
  });
}

const firstDifference = (want: Float32Array, got: Float32Array) => want.findIndex((w, i) => w !== got[i]);

describe(ADAMW_KERNEL, () => {
  // 1,027 values: vectors of four and a tail of three. vMax is above the new v for about half of them.
  it.each([false, true])(
    'gives the tfjs ops’ values bit for bit, and the JavaScript path too (AMSGrad %s)',
    async (amsgrad) => {
      await tf.setBackend('wasm');
      // Our SIMD kernels, not the JavaScript fallback checked below.
      expect(simdKernelsFor(tf.backend())).toBeDefined();
      const count = 1027;
      const [value, g, m] = [1, 2, 3].map((seed) => tf.tensor1d(randomArray(count, seed)));
      const [v, vMax] = [4, 5].map((seed) => tf.tensor1d(randomArray(count, seed).map((x) => x * x)));
      const want = stepInOps(value!, g!, m!, v!, amsgrad ? vMax : undefined);
      const before = tf.memory().numTensors;
      const inputs = { value: value!, gradient: g!, m: m!, v: v!, ...(amsgrad ? { vMax: vMax! } : {}) };
      const got = tf.engine().runKernel(ADAMW_KERNEL, inputs, attrs) as tf.Tensor[];
      expect(tf.memory().numTensors).toBe(before + want.length);
      got.forEach((t, k) => expect(firstDifference(want[k]!, t.dataSync() as Float32Array)).toBe(-1));
      if (amsgrad) {
        const kept = want[3]!.filter((s, i) => s !== want[2]![i]).length;
        expect(kept).toBeGreaterThan(count / 4);
      }
      // The fallback where our kernels are not bound, on a heap of its own.
      const parts = [value, g, m, v, vMax].map((t, k) =>
        k === 4 && !amsgrad ? new Float32Array(count) : (t!.dataSync() as Float32Array),
      );
      const heap = new Float32Array(count * 9);
      parts.forEach((part, k) => heap.set(part, k * count));
      const at = Array.from({ length: 9 }, (_, k) => k * count * 4);
      adamWInJavaScript(heap, at, count, attrs, amsgrad);
      want.forEach((w, k) =>
        expect(firstDifference(w, heap.subarray((5 + k) * count, (6 + k) * count))).toBe(-1),
      );
      tf.dispose([value, g, m, v, vMax, got]);
    },
  );

  it('refuses an input of another length or dtype, naming it, and leaves no tensor behind', async () => {
    await tf.setBackend('wasm');
    const value = tf.zeros([4, 3]);
    const short = tf.zeros([11]);
    const ints = tf.zeros([4, 3], 'int32');
    const before = tf.memory().numTensors;
    const run = (inputs: Record<string, tf.Tensor>) => () =>
      tf.engine().runKernel(ADAMW_KERNEL, { value, gradient: value, m: value, v: value, ...inputs }, attrs);
    expect(run({ m: short })).toThrow(BackendError);
    expect(run({ m: short })).toThrow(/m must be float32 with 12 values as value has, got float32 \[11\]/);
    expect(run({ vMax: short })).toThrow(/vMax must be float32 with 12 values/);
    expect(run({ gradient: ints })).toThrow(
      /gradient must be float32 with 12 values as value has, got int32/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([value, short, ints]);
  });
});
