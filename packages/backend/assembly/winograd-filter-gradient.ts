// The filter gradient of a Winograd F(m x m, r x r) convolution (winograd.ts): F(2x2, 3x3), F(4x4, 3x3)
// or F(2x2, 5x5). With y's m x m tiles equal to A^T [U ⊙ V] A, U = G g G^T and V = B^T d B, the gradient
// of U at position p is the sum over tiles of Z ⊙ V with Z = A dy A^T (dy's m x m tile, zero past the
// output), and dW = G^T (dL/dU) G. The sums over tiles are (m+r-1)^2 matrix products [K, tiles] x
// [tiles, C] on tile.ts's micro-kernel; the transforms are in winograd-gradient-transforms.ts.

import { ACTIVATION_LINEAR, MR, NR, padK, tile } from './tile';
import { transformGradientBack, transformGradientBack6, transformOutputGradients } from './winograd-gradient-transforms';
import { gatherPatch, transformInput6Group, transformInputGroup } from './winograd-transforms';

/**
 * dW[u, v, c, k] = sum over n, y, x of x[n, y + u - padTop, x + v - padLeft, c] * dy[n, y, x, k] (zero
 * outside x), for x [N, H, W, C], dy [N, outH, outW, K] and dW [r, r, C, K], a block of `blockTiles` (a
 * multiple of 4) output tiles at a time, with P = (m+r-1)^2 positions. Scratch, 16-byte aligned:
 * `panelV` (P * blockTiles * C rounded up to 8 floats), `packedZ` (P * blockTiles * K rounded up to 6
 * floats), `acc` (P * K * C rounded up to 8 floats), `zeros` (max(C, K) rounded up to 4 floats,
 * zeroed), `pointers` (P + 4 * m * m u32), `temp` (4 * P + 30 vectors), `spill` (48 floats).
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
      // The last block's tiles past `count` up to whole groups of four: zeros in V (and in Z, below).
      memory.fill(panelV, 0, <usize>positions * vPositionBytes);
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
    }
    // Z four tiles at a time; tiles past `count` (up to `depth`) read only zeros.
    for (let g = 0; g < depth; g += 4) {
      for (let u = 0; u < 4; u++) {
        const tileIndex = t0 + g + u;
        const tilePointers = dyPointers + <usize>(u * m * m) * 4;
        if (g + u >= count) {
          for (let i = 0; i < m * m; i++) store<u32>(tilePointers + <usize>i * 4, <u32>zeros);
          continue;
        }
        const n = tileIndex / (tilesH * tilesW);
        const rest = tileIndex - n * tilesH * tilesW;
        const ty = rest / tilesW;
        gatherPatch(dy, n, outH, outW, outC, ty * m, (rest - ty * tilesW) * m, m, zeros, tilePointers);
      }
      const z = packedZ + <usize>((g >> 2) * MR * 4) * 4;
      transformOutputGradients(m, size, dyPointers, outC, z, zBlockBytes, zPositionBytes, temp);
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

