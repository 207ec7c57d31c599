// The filter gradient of a Winograd F(m x m, r x r) convolution (winograd.ts): F(2x2, 3x3), F(4x4, 3x3)
// or F(2x2, 5x5). With y's m x m tiles equal to A^T [U ⊙ V] A, U = G g G^T and V = B^T d B, the gradient
// of U at position p is the sum over tiles of Z ⊙ V with Z = A dy A^T (dy's m x m tile, zero past the
// output), and dW = G^T (dL/dU) G. The sums over tiles are (m+r-1)^2 matrix products [K, tiles] x
// [tiles, C] on tile.ts's micro-kernel; the transforms are in winograd-gradient-transforms.ts.

import { ACTIVATION_LINEAR, MR, NR, padK, tile } from './tile';
import {
  transformGradientBack,
  transformGradientBack6,
  transformOutputGradient,
  transformOutputGradient6,
} from './winograd-gradient-transforms';
import { gatherPatch, transformInput6Group, transformInputGroup } from './winograd-transforms';

/**
 * dW[u, v, c, k] = sum over n, y, x of x[n, y + u - padTop, x + v - padLeft, c] * dy[n, y, x, k] (zero
 * outside x), for x [N, H, W, C], dy [N, outH, outW, K] and dW [r, r, C, K], a block of `blockTiles` (a
 * multiple of 4) output tiles at a time, with P = (m+r-1)^2 positions. Scratch, 16-byte aligned:
 * `panelV` (P * blockTiles * C rounded up to 8 floats), `packedZ` (P * blockTiles * K rounded up to 6
 * floats), `acc` (P * K * C rounded up to 8 floats), `zeros` (max(C, K) rounded up to 4 floats,
 * zeroed), `pointers` (P + m * m u32), `temp` (48 vectors), `spill` (48 floats).
 */
export function winogradFilterGradient(
  m: i32,
  r: i32,
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
  padTop: i32,
  padLeft: i32,
  blockTiles: i32,
  panelV: usize,
  packedZ: usize,
  acc: usize,
  zeros: usize,
  pointers: usize,
  temp: usize,
  spill: usize,
): void {
  const size = m + r - 1;
  const positions = size * size;
  const dyPointers = pointers + <usize>positions * 4;
  const tilesH = (outH + m - 1) / m;
  const tilesW = (outW + m - 1) / m;
  const tiles = batch * tilesH * tilesW;
  const cPanels = (channels + NR - 1) / NR;
  const kBlocks = (outC + MR - 1) / MR;
  // V: per position, per 8-channel panel, [tile][8]. Z: per position, per 6 output channels, [tile/4][6][4].
  const vPanelBytes = <usize>(blockTiles * NR) * 4;
  const vPositionBytes = <usize>cPanels * vPanelBytes;
  const zBlockBytes = <usize>(blockTiles * MR) * 4;
  const zPositionBytes = <usize>kBlocks * zBlockBytes;
  const accRowBytes = <usize>(cPanels * NR) * 4;
  const accPositionBytes = <usize>outC * accRowBytes;
  memory.fill(acc, 0, <usize>positions * accPositionBytes);
  // Z's rows past K are never written: zero once.
  memory.fill(packedZ, 0, <usize>positions * zPositionBytes);
  for (let t0 = 0; t0 < tiles; t0 += blockTiles) {
    const count = min(blockTiles, tiles - t0);
    const depth = padK(count);
    if (count < depth) {
      // The last block's tiles past `count` up to whole groups of four: zeros in both operands.
      memory.fill(panelV, 0, <usize>positions * vPositionBytes);
      memory.fill(packedZ, 0, <usize>positions * zPositionBytes);
    }
    for (let t = 0; t < count; t++) {
      const tileIndex = t0 + t;
      const n = tileIndex / (tilesH * tilesW);
      const rest = tileIndex - n * tilesH * tilesW;
      const ty = rest / tilesW;
      const tx = rest - ty * tilesW;
      const y = ty * m;
      const xx = tx * m;
      gatherPatch(x, n, height, width, channels, y - padTop, xx - padLeft, size, zeros, pointers);
      const v = panelV + <usize>(t * NR) * 4;
      for (let q = 0; q < cPanels; q++) {
        for (let half = 0; half < 2; half++) {
          const c = q * NR + half * 4;
          const at = v + <usize>q * vPanelBytes + <usize>half * 16;
          if (c >= channels) clearPositions(at, vPositionBytes, positions);
          else if (size == 4) transformInputGroup(pointers, <usize>c * 4, channels - c, at, vPositionBytes);
          else transformInput6Group(pointers, <usize>c * 4, channels - c, at, vPositionBytes, temp);
        }
      }
      const z = packedZ + <usize>((t >> 2) * MR * 4 + (t & 3)) * 4;
      if (size == 6) {
        gatherPatch(dy, n, outH, outW, outC, y, xx, m, zeros, dyPointers);
        transformOutputGradient6(m, dyPointers, outC, z, zBlockBytes, zPositionBytes, temp);
        continue;
      }
      const dyPixel = dy + <usize>(((n * outH + y) * outW + xx) * outC) * 4;
      const right = xx + 1 < outW ? dyPixel + <usize>outC * 4 : zeros;
      const below = y + 1 < outH ? dyPixel + <usize>(outW * outC) * 4 : zeros;
      const corner = xx + 1 < outW && y + 1 < outH ? below + <usize>outC * 4 : zeros;
      transformOutputGradient(
        dyPixel,
        right,
        below,
        corner,
        outC,
        z,
        zBlockBytes,
        zPositionBytes,
      );
    }
    for (let p = 0; p < positions; p++) {
      for (let b = 0; b < kBlocks; b++) {
        const z = packedZ + <usize>p * zPositionBytes + <usize>b * zBlockBytes;
        const rows = min(MR, outC - b * MR);
        for (let q = 0; q < cPanels; q++) {
          const out = acc + <usize>p * accPositionBytes + <usize>(b * MR) * accRowBytes + <usize>(q * NR) * 4;
          tile(
            z,
            depth / 4,
            panelV + <usize>p * vPositionBytes + <usize>q * vPanelBytes,
            out,
            accRowBytes,
            out,
            accRowBytes,
            rows,
            NR,
            ACTIVATION_LINEAR,
            spill,
          );
        }
      }
    }
  }
  if (size == 6) transformGradientBack6(r, acc, accRowBytes, accPositionBytes, channels, outC, dw, temp);
  else transformGradientBack(acc, accRowBytes, accPositionBytes, channels, outC, dw);
}

@inline
function clearPositions(at: usize, s: usize, positions: i32): void {
  const zero = f32x4.splat(0);
  for (let p = 0; p < positions; p++) v128.store(at + <usize>p * s, zero);
}

