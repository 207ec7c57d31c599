import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelWrapper } from '../kernel-call.js';

/** The parts of tfjs-wasm's backend (4.22) this kernel reads: tensor offsets in the WASM heap. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { HEAPF32: Float32Array };
}

/**
 * MaxPoolGrad in one pass over the WASM heap, with the cpu kernel's choice of maximum (the first in
 * row-major order). tfjs-wasm's own kernel is a scalar loop per input pixel and, with overlapping or
 * padded windows and ties, picks other positions than the cpu backend.
 */
function onePassMaxPoolGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize as [number, number] | number,
      attrs.strides as [number, number] | number,
      1,
      attrs.pad as 'valid' | 'same' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const { filterHeight: ph, filterWidth: pw, strideHeight: sh, strideWidth: sw, outHeight: oh } = info;
    const { outWidth: ow, padInfo } = info;
    if (input.dtype !== 'float32') return original(args);
    const [n, h, w, c] = input.shape as [number, number, number, number];
    const wasm = backend as unknown as WasmHeapBackend;
    const out = wasm.makeOutput([n, h, w, c], 'float32');
    const heap = wasm.wasm.HEAPF32;
    const xAt = wasm.dataIdMap.get(input.dataId).memoryOffset / 4;
    const dyAt = wasm.dataIdMap.get(dy.dataId).memoryOffset / 4;
    const dxAt = wasm.dataIdMap.get(out.dataId).memoryOffset / 4;
    heap.fill(0, dxAt, dxAt + n * h * w * c);
    // One pass over the windows, straight on the WASM heap, all channels of a window position at a time
    // (contiguous reads). As the cpu kernel: padding is never the maximum, the first maximum in row-major
    // order gets the gradient, a window of only -Infinity/NaN gets none; overlapping windows add up.
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
    return out;
  };
}

export const maxPoolGradWrapper: KernelWrapper = { kernelName: 'MaxPoolGrad', wrap: onePassMaxPoolGrad };
