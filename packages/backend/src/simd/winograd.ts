import type { backend_util } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { SimdKernelExports } from './engine.js';
import { type FilterPacker, scratchFilterPacker } from './packed-filters.js';
import { type Scratch, TILE_COLUMNS, TILE_ROWS } from './scratch.js';

/**
 * Which algorithm runs stride-1, dilation-1 3x3 convolutions: `auto` by {@link winogradPays}, or one forced
 * for comparisons wherever it fits (`f2x2`: Winograd F(2x2, 3x3); `f4x4`: F(4x4, 3x3); both F(2x2, 5x5)
 * for 5x5 filters; `never`: the direct kernel), for the forward pass and both gradients.
 */
export type WinogradPolicy = 'auto' | 'f2x2' | 'f4x4' | 'never';

const POLICIES: readonly WinogradPolicy[] = ['auto', 'f2x2', 'f4x4', 'never'];

/**
 * Environment variable that sets the {@link WinogradPolicy} at start-up, as `setWinogradPolicy` does
 * later; worker threads inherit it, so training-step comparisons can switch it.
 */
export const WINOGRAD_ENV = 'FMNIST_WINOGRAD';

function isPolicy(value: unknown): value is WinogradPolicy {
  return POLICIES.includes(value as WinogradPolicy);
}

function policyFromEnvironment(): WinogradPolicy {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    WINOGRAD_ENV
  ];
  if (value === undefined || value === '') return 'auto';
  if (isPolicy(value)) return value;
  throw new BackendError(`${WINOGRAD_ENV}='${value}': expected one of ${POLICIES.join(', ')}`);
}

let policy: WinogradPolicy | undefined;

/** Sets the {@link WinogradPolicy} from now on; for benchmarks and tests. */
export function setWinogradPolicy(value: WinogradPolicy): void {
  if (!isPolicy(value)) {
    throw new BackendError(`setWinogradPolicy('${String(value)}'): expected one of ${POLICIES.join(', ')}`);
  }
  policy = value;
}

/** The {@link WinogradPolicy} in force: set, or from `FMNIST_WINOGRAD`, or `auto`. */
export function winogradPolicy(): WinogradPolicy {
  policy ??= policyFromEnvironment();
  return policy;
}

// Bytes of the transforms' temporary rows and columns (40 vectors, F(4x4, 3x3)'s output transform).
const TEMP_BYTES = 40 * 16;

// Tiles per block: the block's packed input transforms and products (16 positions each) are sized to stay
// in a 1 MB L2 cache with room for the filter, as the micro-kernel streams every filter panel over them.
const BLOCK_BYTES = 256 * 1024;
const MAX_BLOCK_TILES = 96;
// The filter gradient's blocks sum over their tiles in the matrix products: longer ones (multiples of 4),
// as each product reloads and stores its accumulators once per block. Only one position's slice of a
// block (a 36th with a 6x6 domain) is reused from cache, so the whole block may outgrow L2: 4 MB (up to
// 512 tiles) against 512 kB (256) took CPU ms per call, F(4x4, 3x3) batch 64, best of three runs (before
// the transposed dy transform), shared machine: 7x7x128→128 12.2 against 13.6, 7x7x64→128 6.3 / 7.2,
// 9x9x64→64 7.4 / 7.4, 28x28x32→32 13.9 / 14.1; F(2x2, 5x5) 9x9x64→128 35.6 / 41.5.
const GRADIENT_BLOCK_BYTES = 4 * 1024 * 1024;
const MAX_GRADIENT_BLOCK_TILES = 512;
// Bytes of the filter gradient's transforms' temporary vectors: four tiles' 36 positions and 30 more.
const GRADIENT_TEMP_BYTES = (4 * 36 + 30) * 16;

/**
 * Whether Winograd computes this convolution: a 3x3 (F(2x2, 3x3), F(4x4, 3x3)) or 5x5 (F(2x2, 5x5))
 * filter, stride 1 and dilation 1.
 */
function winogradFits(info: backend_util.Conv2DInfo): boolean {
  return (
    (info.filterHeight === 3 || info.filterHeight === 5) &&
    info.filterWidth === info.filterHeight &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  );
}

/**
 * Winograd runs where both channel counts are at least this and the output at least this size: the
 * range the conv bench measured it faster in. `pnpm --filter @fmnist/backend bench`, batch 64,
 * relaxed-simd, ms per call direct → F(2x2, 3x3) for forward / input gradient / filter gradient, second
 * run (the first, without the filter gradient, agreed within its noise: 1.5-2.7x); the 2-core machine
 * was shared (load average 8), so the figures are provisional and vary ±50% between identical runs:
 *   cnn-mlp 28x28x32→64    77.7 → 33.1 / 62.2 → 29.6 / 52.2 → 40.3
 *   cnn-mlp 9x9x64→64      10.7 →  6.5 / 10.3 → 10.6 / 11.0 →  7.8
 *   vgg     28x28x32→32    31.2 → 19.3 / 30.7 → 21.4 / 34.1 → 20.7
 *   vgg     14x14x32→64    16.2 →  8.3 / 13.5 →  7.0 / 13.9 → 10.8
 *   vgg     14x14x64→64    28.3 → 13.4 / 35.4 → 15.3 / 42.7 → 16.0
 *   vgg     7x7x64→128     17.3 → 10.0 / 41.0 →  9.2 / 14.9 → 10.4
 *   vgg     7x7x128→128    22.8 → 15.9 / 23.9 → 18.3 / 28.8 → 21.0
 *   both    28x28x1→32     forward 10.8 against 4.1 on XNNPACK (today's kernel for 1-3 channels): no.
 * Channel counts between 4 and 32 and outputs under 7x7 were not measured and keep the direct kernel.
 */

const WINOGRAD_MIN_CHANNELS = 32;
const WINOGRAD_MIN_SIZE = 7;

/**
 * Where Winograd pays, 3x3 convolutions run F(4x4, 3x3) and 5x5 ones F(2x2, 5x5), in all three passes
 * (the filter gradient's figures are at winogradFilterGradientTile). CPU time per call (ms, batch 64,
 * relaxed-simd; CPU time because wall time on the shared machine varied ±50%: two interleaved rounds
 * agreed within 10-20%), forward / input gradient:
 *   F(2x2, 3x3) → F(4x4, 3x3):  28x28x32→32  17.3-19.7 → 14.3-15.1 / 29.7-30.1 → 17.8-19.6
 *                               28x28x32→64  29.5-32.9 → 25.8-26.1 / 49.1-49.8 → 31.5-32.2
 *                               14x14x64→64  14.5-17.8 →  9.9-11.0 / 23.1-27.0 → 19.1-19.8
 *                               7x7x128→128  14.1-16.3 →  9.8-10.0 / 27.7-29.1 → 17.4-17.6
 *                               9x9x64→64     6.3-7.5  →  5.9-6.1  / 12.3      → 10.3-11.0
 *   direct → F(2x2, 5x5):       9x9x64→128 (cnn-mlp) 51.6-51.7 → 28.0-28.9 / 57.3 → 50.6-50.8
 * A later run of 28x28x32→32 alone did not reproduce F(2x2, 3x3)'s slow input gradient above (so take
 * those input-gradient ratios as upper bounds): 18.9-19.7 → 14.4-15.1 / 14.1-17.5 → 9.9-13.1 ms, and
 * the filter gradient direct → F(2x2, 3x3) 30.3-32.5 → 19.7-20.1 ms.
 * F(4x4, 3x3)'s max error relative to the cpu backend's largest output is 4.5e-6 to 6.5e-6 on the
 * 3x3 shapes above (batch 4; F(2x2, 3x3) and the direct kernel: 2.5e-7 to 1.2e-6), within the 1e-4
 * parity bound the tests hold it to.
 */
const AUTO_TILE = { 3: 4, 5: 2 } as const;

/**
 * Where the filter (or, for the filter gradient, dy's tiles' counterpart) is transformed on every call
 * (input and filter gradients; forward passes keep it, see below), that cost (like the saving per output
 * pixel) is proportional to both channel counts, so only enough output pixels per call (batch x height x
 * width) pay it back, whatever the channels. Measured on forward passes before they kept their filters: `pnpm --filter @fmnist/backend bench N`,
 * relaxed-simd, CPU ms per forward call direct → F(4x4, 3x3) (auto's tile), idle 2-core machine:
 *                  batch 1          batch 2          batch 4
 *   7x7x128→128    0.44 → 0.82      1.74 → 1.07      3.92 → 1.23     (49 pixels per image)
 *   7x7x64→128     0.22 → 0.38      0.54 → 0.59      1.26 → 0.60
 *   9x9x64→64      0.33 → 0.28      0.41 → 0.38      0.68 → 0.88 (F(2x2, 3x3) 0.50)   (81)
 *   14x14x64→64    0.42 → 0.32      0.91 → 0.51      2.32 → 0.83     (196)
 *   28x28x32→32    0.52 → 0.27      1.15 → 0.45      2.60 → 0.81     (784)
 * So 49 pixels lose, 81 win a little and 98 break even or win: the threshold sits between. The VGG's batch-1
 * predict (profiled, CPU ms of its two 7x7 layers): 1.24 on auto without this term, 0.64 with the direct
 * kernel. Training batches (64-128 images) are far above it and keep their choices.
 */
const WINOGRAD_MIN_PIXELS = 64;

/*
 * Forward passes keep the transform from a filter's second use (simd/packed-filters.ts), so the floor above
 * holds only where the filter is transformed on every call (input and filter gradients). The same bench,
 * batch 1, filters kept (shared machine, CPU ms per call): direct → F(4x4, 3x3)
 *   7x7x128→128 0.41 → 0.19   7x7x64→128 0.22 → 0.11   14x14x64→64 0.39 → 0.18   28x28x32→32 0.48 → 0.21
 * A forward pass decides by its shape alone, not by whether this call's filter is kept yet, so that
 * repeated calls on the same input give the same numbers.
 */

/**
 * Whether Winograd beats the direct kernel on a convolution of `channels` source channels into `outC`
 * channels of `batch` x `outH` x `outW` (see WINOGRAD_MIN_CHANNELS and WINOGRAD_MIN_PIXELS for the figures).
 */
function winogradPays(
  channels: number,
  outC: number,
  batch: number,
  outH: number,
  outW: number,
  keptFilter: boolean,
): boolean {
  return (
    Math.min(channels, outC) >= WINOGRAD_MIN_CHANNELS &&
    Math.min(outH, outW) >= WINOGRAD_MIN_SIZE &&
    (keptFilter || batch * outH * outW >= WINOGRAD_MIN_PIXELS)
  );
}

/**
 * The output tile m of the Winograd F(m x m, r x r) that runs this convolution (or, `transposed`, its
 * input gradient) under the current policy, or 0 for the direct kernel. 5x5 filters have F(2x2, 5x5) only.
 * `keptFilter`: the caller keeps filter transforms between calls (forward passes), so no pixel floor.
 */
export function winogradTile(
  info: backend_util.Conv2DInfo,
  { transposed = false, keptFilter = false } = {},
): 0 | 2 | 4 {
  const current = winogradPolicy();
  if (current === 'never' || !winogradFits(info)) return 0;
  if (current === 'f2x2') return 2;
  if (current === 'f4x4') return info.filterHeight === 3 ? 4 : 2;
  const pays = transposed
    ? winogradPays(info.outChannels, info.inChannels, info.batchSize, info.inHeight, info.inWidth, keptFilter)
    : winogradPays(
        info.inChannels,
        info.outChannels,
        info.batchSize,
        info.outHeight,
        info.outWidth,
        keptFilter,
      );
  return pays ? AUTO_TILE[info.filterHeight as 3 | 5] : 0;
}

interface WinogradCall {
  /** Heap offsets of the source (x, or dy when transposed), the filter, the bias (0: none) and the output. */
  src: number;
  filter: number;
  bias: number;
  out: number;
  /** 0 linear, 1 relu, 2 relu6: assembly/tile.ts's ACTIVATION_* codes. */
  activation: number;
  /** The input gradient: source dy, output dx, filter flipped with its channels swapped. */
  transposed: boolean;
  /** F(m x m, r x r): 2 or 4 ({@link winogradTile}); r is the filter's size. */
  m: 2 | 4;
  /** Where the transformed filter goes (simd/packed-filters.ts); default: scratch, packed on every call. */
  packFilter?: FilterPacker;
}

/**
 * The output tile m of the Winograd F(m x m, r x r) whose filter gradient computes this convolution's dW
 * under the current policy, or 0 for the direct kernel: the forward pass's choice, which the bench
 * bears out for the filter gradient too. `pnpm --filter @fmnist/backend bench 64 filterGradient`, CPU ms
 * per call, batch 64, one run per build on the shared 2-core machine (load average 2.5-3.6; the direct
 * kernel's 28x28x32→64 read 53 in a quieter run), direct → F(2x2, 3x3) → F(4x4, 3x3), relaxed-simd /
 * simd128; before this rule the filter gradient ran F(2x2, 3x3) with the lane-by-lane dy transform,
 * first column:
 *                  before  direct → F(2x2) → F(4x4)       simd128
 *   28x28x32→64    36.6    53-95  → 34   → 21.7     98 → 47   → 34
 *   28x28x32→32    20.1    30     → 20   → 12.8     37 → 25   → 22
 *   14x14x32→64     9.6    13.3   → 9.4  →  6.7     17 → 11.4 →  9.3
 *   14x14x64→64    14.7    26     → 13.2 → 11.8     49 → 27   → 21
 *   7x7x64→128      9.6    13.4   → 9.9  →  5.5     23 → 16.7 →  8.3
 *   7x7x128→128    17.5    27     → 16.4 → 11.1     43 → 28   → 13.1
 *   9x9x64→64      10.3    11     → 6.8  →  7.2     15.5 → 14.3 → 13.1  (a tie: 9 = 4 + 4 + 1 wastes tiles)
 *   9x9x64→128 5x5 59.9    61-109 → F(2x2, 5x5) 28.5    109 → 52
 * The 7x7 layers' filter gradient cost about twice their forward pass because it ran F(2x2, 3x3) (4
 * multiply-adds per output and channel pair) against the forward's F(4x4, 3x3) (2.25; both pad 7 to 8),
 * and its dy transform stored lane by lane; 7x7x128→128's now takes about its forward's time (10-11 ms).
 * F(4x4, 3x3)'s dW is within 3e-6 to 6e-6 of the cpu backend's largest entry on these shapes (batch
 * 4-16), F(2x2, 5x5)'s 1.3e-5, F(2x2, 3x3)'s and the direct kernel's about 1e-6: inside the 1e-4 bound.
 * Block sizes at GRADIENT_BLOCK_BYTES; the first layer's direct path in filter-gradient-by-taps.ts.
 */
export function winogradFilterGradientTile(info: backend_util.Conv2DInfo): 0 | 2 | 4 {
  return winogradTile(info);
}

/**
 * Runs `assembly/winograd.ts` for a convolution `info` that {@link winogradFits}: the forward pass
 * (x → y) or its input gradient (dy → dx, an r x r correlation of dy with the flipped filter, padded by
 * r - 1 - pad).
 */
export function runWinograd(
  kernels: SimdKernelExports,
  scratch: Scratch,
  info: backend_util.Conv2DInfo,
  call: WinogradCall,
): void {
  const { transposed, m } = call;
  const r = info.filterHeight;
  const positions = (m + r - 1) ** 2;
  const channels = transposed ? info.outChannels : info.inChannels;
  const outC = transposed ? info.inChannels : info.outChannels;
  const [srcH, srcW] = transposed ? [info.outHeight, info.outWidth] : [info.inHeight, info.inWidth];
  const [outH, outW] = transposed ? [info.inHeight, info.inWidth] : [info.outHeight, info.outWidth];
  const padTop = transposed ? r - 1 - info.padInfo.top : info.padInfo.top;
  const padLeft = transposed ? r - 1 - info.padInfo.left : info.padInfo.left;
  const groupedDepth = Math.ceil(channels / 4) * 4;
  const columns = Math.ceil(outC / TILE_COLUMNS) * TILE_COLUMNS;
  const tiles = info.batchSize * Math.ceil(outH / m) * Math.ceil(outW / m);
  const tileBytes = positions * (groupedDepth + columns) * 4;
  const blockTiles =
    TILE_ROWS *
    Math.max(
      1,
      Math.min(
        Math.floor(BLOCK_BYTES / tileBytes / TILE_ROWS),
        MAX_BLOCK_TILES / TILE_ROWS,
        Math.ceil(tiles / TILE_ROWS),
      ),
    );
  const packedBias = scratch.alloc(columns * 4);
  // Packed here too: a kept filter (packFilter) skips the packer, which writes the bias with the filter.
  scratch.packBias(call.bias, outC, columns, packedBias);
  const packFilter = call.packFilter ?? scratchFilterPacker(scratch);
  const packed = packFilter(
    `winograd ${m} ${r} ${transposed}`,
    positions * groupedDepth * columns * 4,
    (at) =>
      kernels.winogradPackFilter(
        m,
        r,
        call.filter,
        channels,
        outC,
        transposed ? 1 : 0,
        at,
        call.bias,
        packedBias,
      ),
  );
  kernels.winogradConv(
    m,
    r,
    call.src,
    packed,
    packedBias,
    call.out,
    info.batchSize,
    srcH,
    srcW,
    channels,
    outH,
    outW,
    outC,
    padTop,
    padLeft,
    call.activation,
    blockTiles,
    scratch.alloc(positions * blockTiles * groupedDepth * 4),
    scratch.alloc(positions * blockTiles * columns * 4),
    scratch.alloc(Math.max(groupedDepth, TILE_COLUMNS) * 4, { zeroed: true }),
    scratch.alloc(positions * 4),
    scratch.alloc(TEMP_BYTES),
    scratch.alloc(TILE_ROWS * TILE_COLUMNS * 4),
  );
}

/**
 * Runs `assembly/winograd-filter-gradient.ts` for a convolution `info` that {@link winogradFits}: dW from
 * x and dy, at heap offsets `x`, `dy` and `dw`, by F(m x m, r x r) ({@link winogradFilterGradientTile}).
 */
export function runWinogradFilterGradient(
  kernels: SimdKernelExports,
  scratch: Scratch,
  info: backend_util.Conv2DInfo,
  { x, dy, dw, m }: { x: number; dy: number; dw: number; m: 2 | 4 },
): void {
  const r = info.filterHeight;
  const positions = (m + r - 1) ** 2;
  const channels = Math.ceil(info.inChannels / TILE_COLUMNS) * TILE_COLUMNS;
  const rows = Math.ceil(info.outChannels / TILE_ROWS) * TILE_ROWS;
  const tiles = info.batchSize * Math.ceil(info.outHeight / m) * Math.ceil(info.outWidth / m);
  const tileBytes = positions * (channels + rows) * 4;
  const blockTiles =
    4 *
    Math.max(
      1,
      Math.min(
        Math.floor(GRADIENT_BLOCK_BYTES / tileBytes / 4),
        MAX_GRADIENT_BLOCK_TILES / 4,
        Math.ceil(tiles / 4),
      ),
    );
  kernels.winogradFilterGradient(
    m,
    r,
    x,
    dy,
    dw,
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.padInfo.top,
    info.padInfo.left,
    blockTiles,
    scratch.alloc(positions * blockTiles * channels * 4),
    scratch.alloc(positions * blockTiles * rows * 4),
    scratch.alloc(positions * info.outChannels * channels * 4),
    scratch.alloc(Math.ceil(Math.max(info.inChannels, info.outChannels) / 4) * 4 * 4, { zeroed: true }),
    scratch.alloc((positions + 4 * m * m) * 4),
    scratch.alloc(GRADIENT_TEMP_BYTES),
    scratch.alloc(TILE_ROWS * TILE_COLUMNS * 4),
  );
}
