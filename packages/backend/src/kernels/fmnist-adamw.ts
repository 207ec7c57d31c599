import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { KernelArgs } from '../kernel-call.js';
import { type OutputBackend, simdKernelsFor } from '../simd/engine.js';
import { heapOffset, withScratch } from '../simd/scratch.js';

/**
 * Our kernel for one AdamW step of one variable: inputs value, gradient, m, v (and vMax under AMSGrad),
 * attrs beta1, beta2, epsilon, stepSize and decay (the factor decoupled weight decay scales the value by);
 * outputs the new value, m, v (and vMax). @fmnist/model's AdamWOptimizer runs it by this name where it is
 * registered, in place of a dozen element-wise kernels per variable.
 */
export const ADAMW_KERNEL = 'FmnistAdamW';

interface AdamWAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  stepSize: number;
  decay: number;
}

/**
 * The float32 constants of the step, in the order adamWUpdate takes them: beta1, 1 − beta1, beta2,
 * 1 − beta2, epsilon, stepSize, decay (each rounded once, as tfjs rounds a scalar operand).
 */
function adamWConstants(a: AdamWAttrs): number[] {
  return [a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.epsilon, a.stepSize, a.decay].map(Math.fround);
}

/** The step in JavaScript on the heap's floats, where our kernels are not bound. */
export function adamWInJavaScript(
  heap: Float32Array,
  at: number[],
  count: number,
  a: AdamWAttrs,
  amsgrad: boolean,
) {
  const [value, gradient, m, v, vMax, outValue, outM, outV, outVMax] = at.map(
    (bytes) => bytes / 4,
  ) as number[];
  const f = Math.fround;
  const [b1, c1, b2, c2, epsilon, stepSize, decay] = adamWConstants(a) as number[];
  for (let i = 0; i < count; i++) {
    const g = heap[gradient! + i]!;
    const mNew = f(f(heap[m! + i]! * b1!) + f(g * c1!));
    const vNew = f(f(heap[v! + i]! * b2!) + f(f(g * g) * c2!));
    const second = amsgrad ? Math.max(heap[vMax! + i]!, vNew) : vNew;
    if (amsgrad) heap[outVMax! + i] = second;
    const ratio = f(mNew / f(f(Math.sqrt(second)) + epsilon!));
    heap[outValue! + i] = f(heap[value! + i]! * decay!) - f(ratio * stepSize!);
    heap[outM! + i] = mNew;
    heap[outV! + i] = vNew;
  }
}

/** Every input float32 and as long as `value`: the pass reads and writes that many floats in each. */
function checkInputs(inputs: Record<string, TensorInfo | undefined>): number {
  const count = util.sizeFromShape(inputs.value!.shape);
  for (const [name, input] of Object.entries(inputs)) {
    if (!input) continue;
    const size = util.sizeFromShape(input.shape);
    if (input.dtype !== 'float32' || size !== count)
      throw new BackendError(
        `${ADAMW_KERNEL}: ${name} must be float32 with ${count} values as value has, got ${input.dtype} [${input.shape}]`,
      );
  }
  return count;
}

export const adamWConfig: KernelConfig = {
  kernelName: ADAMW_KERNEL,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const backend = args.backend as unknown as OutputBackend;
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const { value, gradient, m, v, vMax } = inputs;
    const count = checkInputs(inputs);
    const attrs = args.attrs as unknown as AdamWAttrs;
    const outputs = [value!, m!, v!, ...(vMax ? [vMax] : [])].map((input) =>
      backend.makeOutput(input.shape, 'float32'),
    );
    withScratch(backend, outputs, () => {
      const at = [
        ...[value!, gradient!, m!, v!].map((input) => heapOffset(backend, input)),
        vMax ? heapOffset(backend, vMax) : 0,
        ...outputs.map((output) => heapOffset(backend, output)),
        ...(vMax ? [] : [0]),
      ];
      const kernels = simdKernelsFor(backend);
      if (kernels) {
        kernels.adamWUpdate(...at, count, ...adamWConstants(attrs));
      } else {
        adamWInJavaScript(new Float32Array(backend.wasm.HEAPU8.buffer), at, count, attrs, vMax !== undefined);
      }
    });
    return outputs;
  }) as unknown as KernelFunc,
};
