import type { backend_util } from '@tensorflow/tfjs-core';
import type { SimdKernelExports } from './engine.js';
import { convGeometry, type Scratch, TILE_COLUMNS, TILE_ROWS } from './scratch.js';

/**
 * The filter gradient runs `assembly/filter-gradient-by-taps.ts` (taps x channels on the micro-kernel's
 * rows) for convolutions of at most this many source channels, in every geometry: a network's first
 * layer. CPU ms per call, batch 64, 'same', relaxed-simd, conv.ts's convFilterGradient → by taps, best
 * of three on the shared 2-core machine (so slower than alone): 28x28 3x3 1→32 8.9 → 3.1, 2→32
 * 12.7 → 7.4, 3→32 16.7 → 9.5, 3→16 12.9 → 7.1; 5x5 28x28x1→32 16.1 → 6.0, 32x32x3→64 54.6 → 40.8.
 * `pnpm --filter @fmnist/backend bench 64 filterGradient` on our models' first layer, 28x28x1→32:
 * 5.4-7.3 → 1.95-2.6 ms (simd128 2.6-4.2; XNNPACK 13.7, F(2x2, 3x3) 8.3-10.6, F(4x4, 3x3) 6.0-7.6).
 */
const MAX_CHANNELS = 3;

// Output pixels per chunk: their packed x and dy panels take about this many bytes, to stay in L2.
const CHUNK_BYTES = 96 * 1024;

/** Whether the filter gradient of `info` runs by taps: few source channels, any geometry. */
export function useFilterGradientByTaps(info: backend_util.Conv2DInfo): boolean {
  return info.inChannels <= MAX_CHANNELS;
}

/** Runs `convFilterGradientByTaps`: dW from x and dy, at heap offsets `x`, `dy` and `dw`. */
export function runFilterGradientByTaps(
  kernels: SimdKernelExports,
  scratch: Scratch,
  info: backend_util.Conv2DInfo,
  { x, dy, dw }: { x: number; dy: number; dw: number },
): void {
  const rows = Math.ceil((info.filterHeight * info.filterWidth * info.inChannels) / TILE_ROWS) * TILE_ROWS;
  const columns = Math.ceil(info.outChannels / TILE_COLUMNS) * TILE_COLUMNS;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const chunk =
    4 * Math.max(1, Math.min(Math.floor(CHUNK_BYTES / ((rows + columns) * 4) / 4), Math.ceil(pixels / 4)));
  kernels.convFilterGradientByTaps(
    x,
    dy,
    dw,
    ...convGeometry(info),
    chunk,
    scratch.alloc(rows * chunk * 4),
    scratch.alloc(columns * chunk * 4),
    scratch.alloc(rows * columns * 4),
    scratch.alloc(TILE_ROWS * TILE_COLUMNS * 4),
  );
}
