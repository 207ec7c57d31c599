import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-call.js';

/** The parts of tfjs-wasm's backend (4.22) this kernel reads: tensor offsets in the WASM heap. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { HEAPF32: Float32Array };
}

/**
 * MaxPoolGrad for non-overlapping windows (stride = window, 'valid', no dilation: every pooling layer
 * of the seed model): each window's first maximum in row-major order gets the gradient, as in tfjs's
 * cpu kernel, in one pass over the WASM heap. Other cases go to the original kernel.
 */
function nonOverlappingMaxPoolGrad(original: KernelFunc): KernelFunc {
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
    const {
      filterHeight: ph,
      filterWidth: pw,
      strideHeight,
      strideWidth,
      outHeight: oh,
      outWidth: ow,
    } = info;
    const simple =
      strideHeight === ph &&
      strideWidth === pw &&
      info.padInfo.top === 0 &&
      info.padInfo.left === 0 &&
      info.padInfo.bottom === 0 &&
      info.padInfo.right === 0 &&
      input.dtype === 'float32';
    if (!simple) return original(args);
    const [n, h, w, c] = input.shape as [number, number, number, number];
    const wasm = backend as unknown as WasmHeapBackend;
    const out = wasm.makeOutput([n, h, w, c], 'float32');
    const heap = wasm.wasm.HEAPF32;
    const xAt = wasm.dataIdMap.get(input.dataId).memoryOffset / 4;
    const dyAt = wasm.dataIdMap.get(dy.dataId).memoryOffset / 4;
    const dxAt = wasm.dataIdMap.get(out.dataId).memoryOffset / 4;
    heap.fill(0, dxAt, dxAt + n * h * w * c);
    // One pass over the windows, straight on the WASM heap, all channels of a window position at a
    // time (contiguous reads): the first maximum in row-major order gets the gradient.
    const max = new Float32Array(c);
    const best = new Int32Array(c);
    let g = dyAt;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const corner = ((b * h + oy * ph) * w + ox * pw) * c;
          for (let k = 0; k < c; k++) {
            max[k] = heap[xAt + corner + k]!;
            best[k] = corner + k;
          }
          for (let wy = 0; wy < ph; wy++) {
            for (let wx = wy === 0 ? 1 : 0; wx < pw; wx++) {
              const at = corner + (wy * w + wx) * c;
              for (let k = 0; k < c; k++) {
                const value = heap[xAt + at + k]!;
                if (value > max[k]!) {
                  max[k] = value;
                  best[k] = at + k;
                }
              }
            }
          }
          for (let k = 0; k < c; k++, g++) heap[dxAt + best[k]!] = heap[g]!;
        }
      }
    }
    return out;
  };
}

export function maxPoolGradConfig(current: KernelConfig | undefined): KernelConfig[] {
  return current ? [{ ...current, kernelFunc: nonOverlappingMaxPoolGrad(current.kernelFunc) }] : [];
}
