import {
  backend_util,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

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
    const { inputs, attrs, backend } = args as {
      inputs: { dy: TensorInfo; input: TensorInfo };
      attrs: NamedAttrMap;
      backend: KernelBackend;
    };
    const { dy, input } = inputs;
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
    // One pass over the windows, straight on the WASM heap: the first maximum gets the gradient.
    let g = dyAt;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const corner = ((b * h + oy * ph) * w + ox * pw) * c;
          for (let k = 0; k < c; k++, g++) {
            let best = corner + k;
            let max = heap[xAt + best]!;
            for (let wy = 0; wy < ph; wy++) {
              for (let wx = 0; wx < pw; wx++) {
                const at = corner + (wy * w + wx) * c + k;
                if (heap[xAt + at]! > max) {
                  max = heap[xAt + at]!;
                  best = at;
                }
              }
            }
            heap[dxAt + best] = heap[g]!;
          }
        }
      }
    }
    return out;
  };
}

export function maxPoolGradConfig(current: KernelConfig | undefined): KernelConfig[] {
  return current ? [{ ...current, kernelFunc: nonOverlappingMaxPoolGrad(current.kernelFunc) }] : [];
}
