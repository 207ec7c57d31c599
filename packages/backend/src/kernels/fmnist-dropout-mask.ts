import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { KernelArgs } from '../kernel-call.js';
import { boundKernels, ourKernelRuns } from '../simd/engine.js';
import { heapOffset } from '../simd/scratch.js';

/** Our kernel that draws a dropout mask in the heap (see `dropoutMask`). */
export const DROPOUT_MASK_KERNEL = 'FmnistDropoutMask';

export const dropoutMaskConfig: KernelConfig = {
  kernelName: DROPOUT_MASK_KERNEL,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const { backend, kernels } = boundKernels(args.backend, DROPOUT_MASK_KERNEL);
    const { shape, seed, threshold, kept } = args.attrs as {
      shape: number[];
      seed: number;
      threshold: number;
      kept: number;
    };
    const mask = backend.makeOutput(shape, 'float32');
    kernels.dropoutMask(heapOffset(backend, mask), tf.util.sizeFromShape(shape), seed, threshold, kept);
    return mask;
  }) as unknown as KernelFunc,
};

/**
 * A dropout mask of `shape`: 1/(1 − rate) where @fmnist/random's `fillUniform(u, seed)` gives u < 1 − rate
 * (both in float32), else 0. The same values as that loop in JavaScript, drawn in the wasm heap where
 * the mask is used (about a sixth of the time for a 400,000-value mask, and no copy); undefined where our
 * kernels do not run (other backends), for the caller's own path.
 */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor | undefined {
  if (!(rate >= 0 && rate < 1)) throw new BackendError(`dropoutMask: rate must be in [0, 1), got ${rate}`);
  if (!ourKernelRuns(DROPOUT_MASK_KERNEL)) return undefined;
  const keep = Math.fround(1 - rate);
  return tf.engine().runKernel(DROPOUT_MASK_KERNEL, {}, {
    shape,
    seed: seed >>> 0,
    threshold: keptBelow(keep),
    kept: Math.fround(1 / keep),
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * The least 32-bit generator output u whose number in [0, 1), rounded to float32 as fillUniform stores
 * it, is at least `keep`: exactly the outputs below it are kept. Rounding is monotonic, so a binary search.
 */
export function keptBelow(keep: number): number {
  let low = 0;
  let high = 2 ** 32;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (Math.fround(middle / 2 ** 32) < keep) low = middle + 1;
    else high = middle;
  }
  return low;
}
