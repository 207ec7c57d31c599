// Convolution kernels for tfjs's WASM heap: every pointer is a byte offset into tfjs-backend-wasm's
// own memory (imported), so tensors are read and written where they are, without copies. Nothing
// here allocates: the caller passes scratch space. The matrix products run tile.ts's 6x8 micro-kernel.

import { ACTIVATION_LINEAR, MR, NR, padK, tile } from './tile';

/**
 * Packs a [K, N] row-major matrix into panels of 8 columns: panel p holds rows 0..K-1 of columns
 * 8p..8p+7, zero past N and in the rows that pad K to a multiple of 4. `bias` (N floats, or 0 for
 * none) goes to `biasOut` padded the same way.
 */
export function packColumns(src: usize, k: i32, n: i32, dst: usize, bias: usize, biasOut: usize): void {
  const panels = (n + NR - 1) / NR;
  const kp = padK(k);
  for (let p = 0; p < panels; p++) {
    const col0 = p * NR;
    const width = min(NR, n - col0);
    let out = dst + <usize>(p * kp * NR) * 4;
    memory.fill(out + <usize>(k * NR) * 4, 0, <usize>((kp - k) * NR) * 4);
    for (let row = 0; row < k; row++) {
      const from = src + <usize>(row * n + col0) * 4;
      if (width == NR) {
        v128.store(out, v128.load(from));
        v128.store(out, v128.load(from, 16), 16);
      } else {
        for (let j = 0; j < NR; j++) store<f32>(out + <usize>j * 4, j < width ? load<f32>(from + <usize>j * 4) : 0);
      }
      out += NR * 4;
    }
    for (let j = 0; j < NR; j++) {
      const col = col0 + j;
      store<f32>(biasOut + <usize>col * 4, bias != 0 && col < n ? load<f32>(bias + <usize>col * 4) : 0);
    }
  }
}

/**
 * Packs a filter [taps, CI, CO] for the input gradient, whose matrix is [taps * CO, CI]: panel p holds,
 * for each tap and output channel, input channels 8p..8p+7 (zero past CI).
 */
export function packFilterTransposed(src: usize, taps: i32, ci: i32, co: i32, dst: usize, biasOut: usize): void {
  const panels = (ci + NR - 1) / NR;
  const k = taps * co;
  const kp = padK(k);
  for (let p = 0; p < panels; p++) {
    let out = dst + <usize>(p * kp * NR) * 4;
    memory.fill(out + <usize>(k * NR) * 4, 0, <usize>((kp - k) * NR) * 4);
    for (let t = 0; t < taps; t++) {
      for (let o = 0; o < co; o++) {
        for (let j = 0; j < NR; j++) {
          const c = p * NR + j;
          store<f32>(out + <usize>j * 4, c < ci ? load<f32>(src + <usize>((t * ci + c) * co + o) * 4) : 0);
        }
        out += NR * 4;
      }
    }
    for (let j = 0; j < NR; j++) store<f32>(biasOut + <usize>(p * NR + j) * 4, 0);
  }
}

/**
 * A convolution as a matrix product whose left rows are gathered through pointers (XNNPACK calls this
 * indirect GEMM): output pixel m, tap t reads `channels` floats at a source pixel, or zeros.
 *
 * Forward (`transposed` 0): output [N, OH, OW, CO] from source x [N, H, W, C]; tap (kh, kw) of output
 * (oh, ow) reads x at (oh*sh + kh*dh - padTop, ow*sw + kw*dw - padLeft).
 * Input gradient (`transposed` 1): output dx [N, H, W, CI] from source dy [N, OH, OW, CO]; tap (kh, kw)
 * of dx pixel (ih, iw) reads dy at ((ih + padTop - kh*dh) / sh, ...) where that divides exactly.
 *
 * `outH x outW x outC` is the output's shape, `srcH x srcW x channels` the source's. `packed` and
 * `bias` come from the pack functions. Scratch, 16-byte aligned: `indirection` (taps * 6 u32),
 * `zeros` (channels floats, zeroed), `packedA` (padK(taps * channels) * 6 floats), `spill` (48 floats).
 */
export function convIndirect(
  src: usize,
  packed: usize,
  bias: usize,
  out: usize,
  batch: i32,
  srcH: i32,
  srcW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  padTop: i32,
  padLeft: i32,
  transposed: i32,
  activation: i32,
  indirection: usize,
  zeros: usize,
  packedA: usize,
  spill: usize,
): void {
  const taps = kh * kw;
  const depth = taps * channels;
  const kp = padK(depth);
  const pixels = batch * outH * outW;
  const plane = outH * outW;
  const panels = (outC + NR - 1) / NR;
  const panelBytes = <usize>(kp * NR) * 4;
  const outStride = <usize>outC * 4;
  for (let m0 = 0; m0 < pixels; m0 += MR) {
    const rows = min(MR, pixels - m0);
    for (let r = 0; r < MR; r++) {
      const m = m0 + min(r, rows - 1);
      const n = m / plane;
      const rest = m - n * plane;
      const y = rest / outW;
      const x = rest - y * outW;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          let sy: i32;
          let sx: i32;
          if (transposed) {
            const ny = y + padTop - i * dh;
            const nx = x + padLeft - j * dw;
            sy = ny >= 0 && ny % sh == 0 ? ny / sh : -1;
            sx = nx >= 0 && nx % sw == 0 ? nx / sw : -1;
          } else {
            sy = y * sh + i * dh - padTop;
            sx = x * sw + j * dw - padLeft;
          }
          const inside = sy >= 0 && sy < srcH && sx >= 0 && sx < srcW;
          const pointer = inside ? src + <usize>(((n * srcH + sy) * srcW + sx) * channels) * 4 : zeros;
          store<u32>(indirection + <usize>((i * kw + j) * MR + r) * 4, <u32>pointer);
        }
      }
    }
    packRows(indirection, taps, channels, depth, kp, packedA);
    const outRow = out + <usize>m0 * outStride;
    for (let p = 0; p < panels; p++) {
      const cols = min(NR, outC - p * NR);
      tile(
        packedA,
        kp / 4,
        packed + <usize>p * panelBytes,
        bias + <usize>(p * NR) * 4,
        0,
        outRow + <usize>(p * NR) * 4,
        outStride,
        rows,
        cols,
        activation,
        spill,
      );
    }
  }
}

// Gathers the 6 rows of a tile, `channels` floats per tap each, into the [k/4][6][4] layout of `tile`.
@inline
function packRows(indirection: usize, taps: i32, channels: i32, depth: i32, kp: i32, packedA: usize): void {
  if ((channels & 3) == 0) {
    for (let t = 0; t < taps; t++) {
      const slot = indirection + <usize>(t * MR) * 4;
      let dst = packedA + <usize>(t * channels * MR) * 4;
      const bytes = <usize>channels * 4;
      for (let o: usize = 0; o < bytes; o += 16) {
        v128.store(dst, v128.load(<usize>load<u32>(slot) + o));
        v128.store(dst, v128.load(<usize>load<u32>(slot, 4) + o), 16);
        v128.store(dst, v128.load(<usize>load<u32>(slot, 8) + o), 32);
        v128.store(dst, v128.load(<usize>load<u32>(slot, 12) + o), 48);
        v128.store(dst, v128.load(<usize>load<u32>(slot, 16) + o), 64);
        v128.store(dst, v128.load(<usize>load<u32>(slot, 20) + o), 80);
        dst += 96;
      }
    }
    return;
  }
  for (let k = 0; k < kp; k++) {
    const t = k / channels;
    const c = k - t * channels;
    const dst = packedA + <usize>((k >> 2) * 24 + (k & 3)) * 4;
    for (let r = 0; r < MR; r++) {
      const value = k < depth ? load<f32>(<usize>load<u32>(indirection + <usize>(t * MR + r) * 4) + <usize>c * 4) : 0;
      store<f32>(dst + <usize>r * 16, value);
    }
  }
}

/**
 * The filter gradient dW[kh, kw, ci, co] = sum over n, oh, ow of dy[n, oh, ow, co] * x[n, ih, iw, ci]
 * with ih = oh*sh + kh*dh - padTop (likewise iw), as a matrix product summed a chunk of output rows at
 * a time. Tiles are 6 output channels x 8 (tap, input channel) columns, accumulated in `dwT`
 * [CO][padded K] and transposed into dW at the end. Per chunk, dy is packed once into the [p/4][6][4]
 * layout per 6 output channels (it is reused by every tap), and x, per 8 columns, into a [p][8] panel
 * with zeros where the tap falls outside the image: vector copies when the 8 columns are 8 channels of
 * one tap. Scratch, 16-byte aligned: `packedA` (ceil(CO/6) * 6 * P floats), `panel` (8 * P floats)
 * with P = padK(chunkRows * OW), `dwT` (CO * K rounded up to 8, floats) and `spill` (48 floats).
 */
export function convFilterGradient(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  chunkRows: i32,
  packedA: usize,
  panel: usize,
  dwT: usize,
  spill: usize,
): void {
  const depth = kh * kw * channels;
  const depth8 = (depth + NR - 1) & ~(NR - 1);
  const accStride = <usize>depth8 * 4;
  memory.fill(dwT, 0, <usize>outC * accStride);
  const blocks = (outC + MR - 1) / MR;
  for (let n = 0; n < batch; n++) {
    for (let oh0 = 0; oh0 < outH; oh0 += chunkRows) {
      const oh1 = min(outH, oh0 + chunkRows);
      const count = (oh1 - oh0) * outW;
      const kp = padK(count);
      const blockBytes = <usize>(kp * MR) * 4;
      packTransposed(dy + <usize>((n * outH + oh0) * outW * outC) * 4, count, kp, outC, packedA);
      for (let k0 = 0; k0 < depth; k0 += NR) {
        packShifted(x, n, height, width, channels, outW, oh0, oh1, kw, sh, sw, dh, dwl, padTop, padLeft, k0, depth, kp, panel);
        for (let b = 0; b < blocks; b++) {
          const co0 = b * MR;
          const acc = dwT + <usize>co0 * accStride + <usize>k0 * 4;
          tile(packedA + <usize>b * blockBytes, kp / 4, panel, acc, accStride, acc, accStride, min(MR, outC - co0), NR, ACTIVATION_LINEAR, spill);
        }
      }
    }
  }
  for (let k = 0; k < depth; k++) {
    for (let co = 0; co < outC; co++) {
      store<f32>(dw + <usize>(k * outC + co) * 4, load<f32>(dwT + <usize>co * accStride + <usize>k * 4));
    }
  }
}

// dy rows [count, n] into blocks of 6 columns in the [p/4][6][4] layout (zero past `count`; columns past
// n repeat the last one, whose results are not stored).
@inline
function packTransposed(src: usize, count: i32, kp: i32, n: i32, dst: usize): void {
  const blocks = (n + MR - 1) / MR;
  for (let b = 0; b < blocks; b++) {
    const out = dst + <usize>(b * kp * MR) * 4;
    for (let r = 0; r < MR; r++) {
      const col = min(b * MR + r, n - 1);
      let from = src + <usize>col * 4;
      for (let p = 0; p < count; p++) {
        store<f32>(out + <usize>((p >> 2) * 24 + r * 4 + (p & 3)) * 4, load<f32>(from));
        from += <usize>n * 4;
      }
      for (let p = count; p < kp; p++) store<f32>(out + <usize>((p >> 2) * 24 + r * 4 + (p & 3)) * 4, 0);
    }
  }
}

// Columns k0..k0+7 of the chunk's im2col matrix (column k: tap k / C, channel k % C) as a [kp][8] panel.
@inline
function packShifted(
  x: usize,
  n: i32,
  height: i32,
  width: i32,
  channels: i32,
  outW: i32,
  oh0: i32,
  oh1: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  k0: i32,
  depth: i32,
  kp: i32,
  panel: usize,
): void {
  const tap = k0 / channels;
  const c0 = k0 - tap * channels;
  let out = panel;
  if (c0 + NR <= channels) {
    const i = tap / kw;
    const j = tap - i * kw;
    const zero = f32x4.splat(0);
    for (let oh = oh0; oh < oh1; oh++) {
      const ih = oh * sh + i * dh - padTop;
      const rowInside = ih >= 0 && ih < height;
      const base = x + <usize>(((n * height + ih) * width) * channels + c0) * 4;
      for (let ow = 0; ow < outW; ow++) {
        const iw = ow * sw + j * dwl - padLeft;
        if (rowInside && iw >= 0 && iw < width) {
          const from = base + <usize>(iw * channels) * 4;
          v128.store(out, v128.load(from));
          v128.store(out, v128.load(from, 16), 16);
        } else {
          v128.store(out, zero);
          v128.store(out, zero, 16);
        }
        out += NR * 4;
      }
    }
  } else {
    for (let oh = oh0; oh < oh1; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let jj = 0; jj < NR; jj++) {
          const k = k0 + jj;
          let value: f32 = 0;
          if (k < depth) {
            const t = k / channels;
            const c = k - t * channels;
            const i = t / kw;
            const j = t - i * kw;
            const ih = oh * sh + i * dh - padTop;
            const iw = ow * sw + j * dwl - padLeft;
            if (ih >= 0 && ih < height && iw >= 0 && iw < width) {
              value = load<f32>(x + <usize>(((n * height + ih) * width + iw) * channels + c) * 4);
            }
          }
          store<f32>(out + <usize>jj * 4, value);
        }
        out += NR * 4;
      }
    }
  }
  memory.fill(out, 0, <usize>((kp - (oh1 - oh0) * outW) * NR) * 4);
}


export { batchNormForward, batchNormGradient, batchNormMoments, batchNormTrainingGradient } from './batch-norm';
export { winogradConv } from './winograd';
export { winogradPackFilter } from './winograd-filter';
export { winogradFilterGradient } from './winograd-filter-gradient';
export { convFilterGradientByTaps } from './filter-gradient-by-taps';
export { maxPoolGrad } from './max-pool-grad';
export { reluGradient, squareGradient } from './elementwise-gradients';
export { channelBinary } from './channel-binary';
export { dropoutMask } from './dropout-mask';
export { adamWUpdate } from './adamw';
