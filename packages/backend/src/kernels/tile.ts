import { type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelWrapper } from '../kernel-call.js';
import type { WasmBackendInternals } from '../simd/engine.js';
import { heapOffset } from '../simd/scratch.js';

type CopyingBackend = WasmBackendInternals & {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  wasm: { HEAPU8: Uint8Array };
};

/**
 * For a tiling that only broadcasts rows, as broadcastTo makes of a mean over leading or middle axes
 * (the Mean gradient, gradients/mean.ts: [1, 1, 1, C] or [N, 1, 1, C] to [N, H, W, C]): how many blocks,
 * each one row of the last axis written `copies` times. Otherwise undefined.
 */
function rowBroadcast(shape: number[], reps: number[]) {
  const first = reps.findIndex((r) => r !== 1);
  if (first < 0 || reps.length !== shape.length || reps.at(-1) !== 1) return undefined;
  if (shape.slice(first, -1).some((size) => size !== 1)) return undefined;
  return {
    blocks: util.sizeFromShape(shape.slice(0, first)),
    copies: util.sizeFromShape(reps),
    row: shape.at(-1)!,
  };
}

/**
 * Tile that only broadcasts rows, by copies of doubling size in the heap: tfjs-wasm's Tile computes an
 * index per element (28 ms for the 1.6 MB gradient of the VGG's global average pool). Other tilings
 * and dtypes go to `original`.
 */
function rowTile(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs;
    const { x } = inputs as { x: TensorInfo };
    const reps = attrs.reps as number[];
    const plan = rowBroadcast(x.shape, reps);
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || !plan) return original(args);
    const backend = (args as unknown as KernelArgs).backend as unknown as CopyingBackend;
    const out = backend.makeOutput(
      x.shape.map((size, i) => size * reps[i]!),
      x.dtype,
    );
    const rowBytes = plan.row * 4;
    const blockBytes = rowBytes * plan.copies;
    if (blockBytes === 0) return out;
    const heap = backend.wasm.HEAPU8;
    const from = heapOffset(backend, x);
    const to = heapOffset(backend, out);
    for (let b = 0; b < plan.blocks; b++) {
      const block = to + b * blockBytes;
      heap.copyWithin(block, from + b * rowBytes, from + (b + 1) * rowBytes);
      for (let filled = rowBytes; filled < blockBytes; filled *= 2) {
        heap.copyWithin(block + filled, block, block + Math.min(filled, blockBytes - filled));
      }
    }
    return out;
  };
}

export const tileWrapper: KernelWrapper = { kernelName: 'Tile', wrap: rowTile };
