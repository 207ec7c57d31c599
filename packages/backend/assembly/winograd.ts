// Winograd F(m x m, r x r), for F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 5x5), for stride-1, dilation-1
// convolutions (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each m x m
// block of outputs is A^T [(G g G^T) ⊙ (B^T d B)] A of the (m+r-1)^2 input patch d under it, so the
// element-wise products become (m+r-1)^2 matrix products [tiles, C] x [C, K] (per output and channel
// pair 4 multiply-adds for F(2x2, 3x3), 2.25 for F(4x4, 3x3), 9 for F(2x2, 5x5), instead of 9, 9 and
// 25), run on tile.ts's micro-kernel. The 6x6 transforms use the points 0, ±1, ±2 and infinity, so
// F(4x4, 3x3) and F(2x2, 5x5) share B^T. The transforms are in winograd-transforms.ts, the filter's in
// winograd-filter.ts. On tfjs-backend-wasm's heap like conv.ts; the caller passes scratch space.

import { ACTIVATION_LINEAR, MR, NR, padK, tile } from './tile';
import {
  gatherPatch,
  transformInput,
  transformInput6,
  transformOutput,
  transformOutput6,
} from './winograd-transforms';

/**
 * out[n, y, x, k] = activation(bias[k] + sum over u, v < r and c of src[n, y + u - padTop, x + v - padLeft, c]
 * * g_ck[u][v]) (zero outside src), for an output [N, outH, outW, outC] and a source [N, srcH, srcW, C],
 * with `packed` and `bias` from winogradPackFilter for the same m and r (the filter is r x r, u, v < r).
 * Tiles of m x m outputs go `blockTiles` (a multiple of 6) at a time through the input transform, the
 * P = (m+r-1)^2 products and the output transform. Scratch, 16-byte aligned: `packedA` (P * blockTiles
 * * padK(C) floats), `product` (P * blockTiles * panels * 8 floats), `zeros` (max(padK(C), 8) floats,
 * zeroed), `pointers` (P u32), `temp` (160 floats, the 6x6 transforms'), `spill` (48 floats).
 */
export function winogradConv(
  m: i32,
  r: i32,
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
  padTop: i32,
  padLeft: i32,
  activation: i32,
  blockTiles: i32,
  packedA: usize,
  product: usize,
  zeros: usize,
  pointers: usize,
  temp: usize,
  spill: usize,
): void {
  const size = m + r - 1;
  const positions = size * size;
  const tilesH = (outH + m - 1) / m;
  const tilesW = (outW + m - 1) / m;
  const tiles = batch * tilesH * tilesW;
  const kp = padK(channels);
  const panels = (outC + NR - 1) / NR;
  const columns = panels * NR;
  const panelBytes = <usize>(kp * NR) * 4;
  const aPositionBytes = <usize>(blockTiles * kp) * 4;
  const productRowBytes = <usize>columns * 4;
  const productPositionBytes = <usize>blockTiles * productRowBytes;
  for (let t0 = 0; t0 < tiles; t0 += blockTiles) {
    const count = min(blockTiles, tiles - t0);
    const groups = (count + MR - 1) / MR;
    for (let t = 0; t < groups * MR; t++) {
      const a = packedA + <usize>((t / MR) * kp * MR + (t % MR) * 4) * 4;
      if (t >= count) {
        // Rows of the last group past the tiles: zeros, computed by the micro-kernel but never stored.
        clearRow(a, kp, aPositionBytes, positions);
        continue;
      }
      const tileIndex = t0 + t;
      const n = tileIndex / (tilesH * tilesW);
      const rest = tileIndex - n * tilesH * tilesW;
      const ty = rest / tilesW;
      const tx = rest - ty * tilesW;
      gatherPatch(src, n, srcH, srcW, channels, ty * m - padTop, tx * m - padLeft, size, zeros, pointers);
      if (size == 4) transformInput(pointers, channels, a, aPositionBytes);
      else transformInput6(pointers, channels, a, aPositionBytes, temp);
    }
    for (let p = 0; p < positions; p++) {
      for (let q = 0; q < panels; q++) {
        const panel = packed + <usize>(p * panels + q) * panelBytes;
        for (let g = 0; g < groups; g++) {
          tile(
            packedA + <usize>p * aPositionBytes + <usize>(g * kp * MR) * 4,
            kp / 4,
            panel,
            zeros,
            0,
            product + <usize>p * productPositionBytes + <usize>(g * MR) * productRowBytes + <usize>(q * NR) * 4,
            productRowBytes,
            min(MR, count - g * MR),
            NR,
            ACTIVATION_LINEAR,
            spill,
          );
        }
      }
    }
    for (let t = 0; t < count; t++) {
      const tileIndex = t0 + t;
      const n = tileIndex / (tilesH * tilesW);
      const rest = tileIndex - n * tilesH * tilesW;
      const ty = rest / tilesW;
      const tx = rest - ty * tilesW;
      const y = ty * m;
      const x = tx * m;
      const pixel = out + <usize>(((n * outH + y) * outW + x) * outC) * 4;
      if (size == 6) {
        transformOutput6(
          m,
          product + <usize>t * productRowBytes,
          productPositionBytes,
          bias,
          outC,
          activation,
          pixel,
          <usize>(outW * outC) * 4,
          <usize>outC * 4,
          min(m, outH - y),
          min(m, outW - x),
          temp,
        );
        continue;
      }
      transformOutput(
        product + <usize>t * productRowBytes,
        productPositionBytes,
        bias,
        outC,
        activation,
        pixel,
        <usize>(outW * outC) * 4,
        <usize>outC * 4,
        y + 1 < outH,
        x + 1 < outW,
      );
    }
  }
}

// Zeros for one tile row in every position's packed left operand.
@inline
function clearRow(a: usize, kp: i32, positionBytes: usize, positions: i32): void {
  const zero = f32x4.splat(0);
  for (let p = 0; p < positions; p++) {
    const at = a + <usize>p * positionBytes;
    for (let g = 0; g < kp / 4; g++) v128.store(at + <usize>(g * MR * 4) * 4, zero);
  }
}
