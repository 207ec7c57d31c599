import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { KernelArgs, KernelWrapper } from '../kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from '../simd/engine.js';
import { heapOffset, type Scratch, withScratch } from '../simd/scratch.js';

/** The parts of tfjs-wasm's backend (4.22) this kernel uses besides our SIMD kernels. */
type WasmHeapBackend = WasmBackendInternals & {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  wasm: { HEAPF32: Float32Array };
};

type Shape4D = [number, number, number, number];

/**
 * The same pass as assembly/max-pool-grad.ts in JavaScript, straight on the WASM heap, for engines where
 * our SIMD kernels do not run: all channels of a window position at a time (contiguous reads). As the
 * cpu kernel: padding is never the maximum, the first maximum in row-major order gets the gradient, a
 * window of only -Infinity/NaN gets none; overlapping windows add up in row-major window order.
 */
function scalarMaxPoolGrad(
  heap: Float32Array,
  [xAt, dyAt, dxAt]: [number, number, number],
  [n, h, w, c]: Shape4D,
  info: backend_util.Conv2DInfo,
): void {
  const { filterHeight: ph, filterWidth: pw, strideHeight: sh, strideWidth: sw, outHeight: oh } = info;
  const { outWidth: ow, padInfo } = info;
  heap.fill(0, dxAt, dxAt + n * h * w * c);
  const max = new Float32Array(c);
  const best = new Int32Array(c);
  let g = dyAt;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const top = oy * sh - padInfo.top;
      const y0 = Math.max(0, top);
      const y1 = Math.min(h, top + ph);
      for (let ox = 0; ox < ow; ox++, g += c) {
        const left = ox * sw - padInfo.left;
        const x0 = Math.max(0, left);
        const x1 = Math.min(w, left + pw);
        max.fill(Number.NEGATIVE_INFINITY);
        best.fill(-1);
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const at = ((b * h + y) * w + x) * c;
            for (let k = 0; k < c; k++) {
              const value = heap[xAt + at + k]!;
              if (value > max[k]!) {
                max[k] = value;
                best[k] = at + k;
              }
            }
          }
        }
        for (let k = 0; k < c; k++) if (best[k]! >= 0) heap[dxAt + best[k]!]! += heap[g + k]!;
      }
    }
  }
}

/**
 * MaxPoolGrad in one pass over the WASM heap, with the cpu kernel's choice of maximum (the first in
 * row-major order): our SIMD kernel, four channels a vector, or the same loop in JavaScript where that
 * does not run. tfjs-wasm's own kernel is a scalar loop per input pixel and, with overlapping or padded
 * windows and ties, picks other positions than the cpu backend.
 */
function onePassMaxPoolGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const info = backend_util.computePool2DInfo(
      input.shape as Shape4D,
      attrs.filterSize as [number, number] | number,
      attrs.strides as [number, number] | number,
      1,
      attrs.pad as 'valid' | 'same' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    if (input.dtype !== 'float32') return original(args);
    const shape = input.shape as Shape4D;
    const backend = (args as unknown as KernelArgs).backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput(shape, 'float32');
    withScratch(backend, [out], (scratch) => {
      const dyAt = windowsOfDy(backend, scratch, dy, shape, info);
      const offsets = [heapOffset(backend, input), dyAt, heapOffset(backend, out)] as [
        number,
        number,
        number,
      ];
      runMaxPoolGrad(backend, offsets, shape, info);
    });
    return out;
  };
}

/**
 * Where dy's values for the windows of `info` start: dy itself, or a copy of its leading rows and columns
 * when it is larger. tfjs-core's MaxPool gradient drops the forward pass's `dimRoundingMode`, so after a
 * `ceil` or `round` forward pass dy has a row or column more than `info` counts; the cpu backend reads
 * dy by its own shape and leaves those out, and so does this.
 */
function windowsOfDy(
  backend: WasmHeapBackend,
  scratch: Scratch,
  dy: TensorInfo,
  [n, , , c]: Shape4D,
  { outHeight: oh, outWidth: ow }: backend_util.Conv2DInfo,
): number {
  const [dn, dh, dw, dc] = dy.shape;
  if (dy.shape.length !== 4 || dn !== n || dc !== c || dh! < oh || dw! < ow)
    throw new BackendError(
      `MaxPoolGrad: dy has shape [${dy.shape.join(', ')}], expected [${n}, ${oh}, ${ow}, ${c}] for the input and pooling given`,
    );
  const at = heapOffset(backend, dy);
  if (dh === oh && dw === ow) return at;
  const copy = scratch.alloc(n * oh * ow * c * 4);
  const heap = backend.wasm.HEAPF32;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++) {
      const from = at / 4 + (b * dh! + y) * dw! * c;
      heap.copyWithin(copy / 4 + (b * oh + y) * ow * c, from, from + ow * c);
    }
  return copy;
}

function runMaxPoolGrad(
  backend: WasmHeapBackend,
  offsets: [number, number, number],
  shape: Shape4D,
  info: backend_util.Conv2DInfo,
): void {
  const kernels = simdKernelsFor(backend);
  if (kernels) {
    const { outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    kernels.maxPoolGrad(
      ...offsets,
      ...shape,
      outHeight,
      outWidth,
      filterHeight,
      filterWidth,
      strideHeight,
      strideWidth,
      padInfo.top,
      padInfo.left,
    );
  } else {
    scalarMaxPoolGrad(backend.wasm.HEAPF32, offsets.map((at) => at / 4) as typeof offsets, shape, info);
  }
}

export const maxPoolGradWrapper: KernelWrapper = { kernelName: 'MaxPoolGrad', wrap: onePassMaxPoolGrad };
