import { afterAll, describe, expect, it } from 'vitest';
import { setSimdKernelBuild, simdKernelChoice } from '../simd/engine.js';
import { signedValues, withSpecialValues } from '../testing/special-values.js';
import { errorOn, onBackend, tf } from '../testing/tf.js';

const OPS = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div } as const;

// A per-channel row on either side (ours), of ranks 1 to 4, with channel counts that do and do not fill
// the kernel's four lanes; and broadcasts that are not one row (tfjs-wasm's own).
const cases: [number[], number[]][] = [
  [
    [2, 6, 6, 32],
    [1, 1, 1, 32],
  ],
  [
    [1, 1, 1, 32],
    [2, 6, 6, 32],
  ],
  [[3, 5, 5, 7], [7]],
  [[5], [2, 3, 5]],
  [
    [4, 3],
    [1, 3],
  ],
  [
    [2, 3, 3, 1],
    [1, 1, 1, 1],
  ],
  [
    [2, 3],
    [2, 1],
  ],
  [[2, 3, 4], []],
  [
    [2, 3, 4],
    [3, 1],
  ],
];

const detected = simdKernelChoice().build;
afterAll(() => setSimdKernelBuild(detected));

describe.each(['relaxed-simd', 'simd128'] as const)(
  'binary ops with a per-channel row, %s build',
  (build) => {
    describe.each(Object.keys(OPS) as (keyof typeof OPS)[])('%s', (name) => {
      it.each(cases)('match cpu bit for bit: a %j, b %j', async (aShape, bShape) => {
        setSimdKernelBuild(build);
        const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);
        const [a, b] = [withSpecialValues(size(aShape), 1, 3), withSpecialValues(size(bShape), 2, 2)];
        const run = (backend: string) =>
          onBackend(backend, () => [tf.tidy(() => OPS[name](tf.tensor(a, aShape), tf.tensor(b, bShape)))]);
        const [ours] = await run('wasm');
        const [want] = await run('cpu');
        expect(signedValues(ours!)).toEqual(signedValues(want!));
      });
    });
  },
);

describe('binary ops with a per-channel row', () => {
  it('reject shapes that do not broadcast with the same error as tfjs on cpu', async () => {
    const attempt = (backend: string) => errorOn(backend, () => tf.sub(tf.ones([2, 3, 4]), tf.ones([1, 5])));
    const onCpu = await attempt('cpu');
    expect(onCpu).not.toBe('no error');
    expect(await attempt('wasm')).toBe(onCpu);
  });
});
