import {
  getKernel,
  type KernelBackend,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BackendError } from './errors.js';

/** What tfjs passes a kernel function. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: KernelBackend;
  attrs: NamedAttrMap;
}

/** Our replacement for tfjs-wasm's `kernelName`: handles its own cases and defers the rest to `original`. */
export interface KernelWrapper {
  kernelName: string;
  wrap(original: KernelFunc): KernelFunc;
}

type SharingBackend = KernelBackend & { incRef(dataId: object): void };

/** A new tensor on the same buffer (reference-counted), as the cpu backend and tfjs-wasm's Reshape do. */
export function share(x: TensorInfo, backend: KernelBackend): TensorInfo {
  (backend as SharingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Runs other kernels of the same backend from inside a kernel, and frees their intermediate outputs.
 * Composing the WASM backend's own kernels (XNNPACK convolution, transpose, pad, slice) keeps the
 * gradient kernels fast where our SIMD kernels do not run (no SIMD, tfjs-wasm's threaded build, int32),
 * and makes the leading-axes reductions one pooling.
 */
export class KernelCalls {
  private readonly intermediates: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(kernelName, this.backendName);
    if (!kernel)
      throw new BackendError(`@fmnist/backend: the ${this.backendName} backend has no ${kernelName} kernel`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo;
    this.intermediates.push(out);
    return out;
  }

  transpose(x: TensorInfo, perm: number[]) {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]) {
    return this.run('Reshape', { x }, { shape });
  }

  /**
   * Crops the negative amounts of `[before, after]` per axis off `x`, and returns what is left to pad
   * (the convolution pads by itself, without a copy).
   */
  cropNegative(x: TensorInfo, amounts: [number, number][]): { x: TensorInfo; pads: [number, number][] } {
    const pads = amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)] as [number, number]);
    if (!amounts.some(([a, b]) => a < 0 || b < 0)) return { x, pads };
    const begin = amounts.map(([a]) => Math.max(0, -a));
    const size = amounts.map(([a, b], i) => x.shape[i]! - Math.max(0, -a) - Math.max(0, -b));
    return { x: this.run('Slice', { x }, { begin, size }), pads };
  }

  /** Frees every intermediate except `keep`, the kernel's result (shared buffers are reference-counted). */
  finish(keep: TensorInfo): TensorInfo {
    for (const info of this.intermediates) if (info !== keep) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
    return keep;
  }
}
