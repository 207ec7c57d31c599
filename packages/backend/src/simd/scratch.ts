import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { WasmBackendInternals } from './engine.js';

/** Temporary buffers in tfjs-wasm's heap for one kernel call, 16-byte aligned, freed together. */
export class Scratch {
  private readonly allocations: number[] = [];

  constructor(private readonly backend: WasmBackendInternals) {}

  alloc(bytes: number, { zeroed = false } = {}): number {
    const raw = this.backend.wasm._malloc(bytes + 16);
    if (raw === 0) throw new BackendError(`the WASM heap cannot hold ${bytes} more bytes`);
    this.allocations.push(raw);
    const aligned = (raw + 15) & ~15;
    // HEAPU8 is re-read after malloc, which may have grown the memory.
    if (zeroed) this.backend.wasm.HEAPU8.fill(0, aligned, aligned + bytes);
    return aligned;
  }

  /**
   * `count` floats of `bias` (or zeros without one, pointer 0) at `dst`, zero-padded to `columns`, as the
   * kernels' filter packers lay a bias out: for calls whose filter was packed earlier.
   */
  packBias(bias: number, count: number, columns: number, dst: number): void {
    const heap = new Float32Array(this.backend.wasm.HEAPU8.buffer);
    heap.fill(0, dst / 4, dst / 4 + columns);
    if (bias) heap.copyWithin(dst / 4, bias / 4, bias / 4 + count);
  }

  free(): void {
    for (const pointer of this.allocations) this.backend.wasm._free(pointer);
    this.allocations.length = 0;
  }
}

/**
 * Runs `fill` with a Scratch freed afterwards; when it throws, `outputs` (made for the call) are freed as
 * well, so a failed kernel call leaves nothing behind in the heap.
 */
export function withScratch(
  backend: WasmBackendInternals,
  outputs: TensorInfo[],
  fill: (scratch: Scratch) => unknown,
): void {
  const scratch = new Scratch(backend);
  try {
    fill(scratch);
  } catch (error) {
    for (const output of outputs) backend.disposeData(output.dataId);
    throw error;
  } finally {
    scratch.free();
  }
}

/** Where a tensor's data starts in the heap. */
export function heapOffset(backend: WasmBackendInternals, tensor: TensorInfo): number {
  const data = backend.dataIdMap.get(tensor.dataId);
  if (!data) throw new BackendError('a tensor of another backend reached a wasm kernel');
  return data.memoryOffset;
}

/** The 6x8 register tile of assembly/conv.ts: rows and columns. */
export const TILE_ROWS = 6;
export const TILE_COLUMNS = 8;

/**
 * Scratch for `convIndirect`: the bytes of the right operand packed in 8-column panels (depth rounded up
 * to whole groups of four; the caller places it, kept or in scratch), its bias, the per-tile row
 * pointers, a zero row, the packed left tile and a spill.
 */
export function indirectConvScratch(scratch: Scratch, taps: number, channels: number, columns: number) {
  const panels = Math.ceil(columns / TILE_COLUMNS);
  const groupedDepth = Math.ceil((taps * channels) / 4) * 4;
  return {
    packedBytes: panels * groupedDepth * TILE_COLUMNS * 4,
    packedBias: scratch.alloc(panels * TILE_COLUMNS * 4),
    indirection: scratch.alloc(taps * TILE_ROWS * 4),
    zeros: scratch.alloc(channels * 4, { zeroed: true }),
    packedA: scratch.alloc(groupedDepth * TILE_ROWS * 4),
    spill: scratch.alloc(TILE_ROWS * TILE_COLUMNS * 4),
  };
}

/**
 * A convolution's geometry in the argument order of assembly/conv.ts: batch, source height, width and
 * channels, output height, width and channels, filter height and width, strides, dilations, top and left
 * padding. `transposed`: the input gradient's view, whose source is dy and whose output is dx.
 */
export function convGeometry(info: backend_util.Conv2DInfo, { transposed = false } = {}): number[] {
  const source = [info.inHeight, info.inWidth, info.inChannels];
  const output = [info.outHeight, info.outWidth, info.outChannels];
  return [
    info.batchSize,
    ...(transposed ? output : source),
    ...(transposed ? source : output),
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}
