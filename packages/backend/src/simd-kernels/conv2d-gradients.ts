import { type backend_util, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../wasm-training/kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from './engine.js';
import {
  convGeometry,
  heapOffset,
  indirectConvScratch,
  TILE_ROWS as MR,
  TILE_COLUMNS as NR,
  Scratch,
} from './scratch.js';

const MIN_OUTPUT_COLUMNS = 4;
// The filter gradient sums over a chunk of output rows of one image at a time, whose packed output
// gradient takes about this many bytes, so that it stays in a 32-48 kB L1 data cache across all tiles.
const FILTER_GRADIENT_CHUNK_BYTES = 32 * 1024;

type Backend = WasmBackendInternals & { makeOutput(shape: number[], dtype: 'float32'): TensorInfo };

function backendOf(args: KernelArgs): Backend {
  return args.backend as unknown as Backend;
}

/**
 * dx on our SIMD kernel, as the forward kernel run "transposed": each dx pixel gathers, per tap, the dy
 * pixel it was read by (where the stride divides), times the filter with channels swapped. Returns
 * undefined where the kernel cannot run, for the caller's fallback.
 */
export function simdConv2DBackpropInput(
  args: KernelArgs,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  // dx of a first layer (1-3 input channels, the model's input) fills under half of 8-wide tiles: XNNPACK.
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32' || info.inChannels < MIN_OUTPUT_COLUMNS)
    return undefined;
  const backend = backendOf(args);
  const kernels = simdKernelsFor(backend);
  if (!kernels) return undefined;
  const out = backend.makeOutput(info.inShape, 'float32');
  if (util.sizeFromShape(info.inShape) === 0) return out;
  const taps = info.filterHeight * info.filterWidth;
  const scratch = new Scratch(backend);
  try {
    const { packed, packedBias, indirection, zeros, packedA, spill } = indirectConvScratch(
      scratch,
      taps,
      info.outChannels,
      info.inChannels,
    );
    kernels.packFilterTransposed(
      heapOffset(backend, filter),
      taps,
      info.inChannels,
      info.outChannels,
      packed,
      packedBias,
    );
    kernels.convIndirect(
      heapOffset(backend, dy),
      packed,
      packedBias,
      heapOffset(backend, out),
      ...convGeometry(info, { transposed: true }),
      1,
      0,
      indirection,
      zeros,
      packedA,
      spill,
    );
  } finally {
    scratch.free();
  }
  return out;
}

/** dW on our SIMD kernel (float32); otherwise undefined. */
export function simdConv2DBackpropFilter(
  args: KernelArgs,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const backend = backendOf(args);
  const kernels = simdKernelsFor(backend);
  if (!kernels) return undefined;
  const out = backend.makeOutput(info.filterShape, 'float32');
  if (util.sizeFromShape(info.filterShape) === 0) return out;
  const chunkRows = Math.min(
    info.outHeight,
    Math.max(1, Math.floor(FILTER_GRADIENT_CHUNK_BYTES / (info.outWidth * info.outChannels * 4))),
  );
  const chunkPixels = Math.ceil((chunkRows * info.outWidth) / 4) * 4;
  const scratch = new Scratch(backend);
  try {
    const depth = info.filterHeight * info.filterWidth * info.inChannels;
    const packedA = scratch.alloc(Math.ceil(info.outChannels / MR) * MR * chunkPixels * 4);
    const panel = scratch.alloc(NR * chunkPixels * 4);
    const transposed = scratch.alloc(info.outChannels * Math.ceil(depth / NR) * NR * 4);
    kernels.convFilterGradient(
      heapOffset(backend, x),
      heapOffset(backend, dy),
      heapOffset(backend, out),
      ...convGeometry(info),
      chunkRows,
      packedA,
      panel,
      transposed,
      scratch.alloc(MR * NR * 4),
    );
  } finally {
    scratch.free();
  }
  return out;
}
