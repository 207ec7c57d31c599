// The filter gradient of a Winograd F(2x2, 3x3) convolution (winograd.ts): with y's 2x2 tiles equal to
// A^T [U ⊙ V] A, U = G g G^T and V = B^T d B, the gradient of U at position p is the sum over tiles of
// Z ⊙ V with Z = A dy A^T (dy's 2x2 tile, zero past the output), and dW = G^T (dL/dU) G. The sums over
// tiles are 16 matrix products [K, tiles] x [tiles, C] on tile.ts's micro-kernel.

import { ACTIVATION_LINEAR, MR, NR, padK, tile } from './tile';
import { gatherPatch, loadChannels, transformInputGroup } from './winograd-transforms';

// Transform positions of F(2x2, 3x3): its 4x4 domain.
const POSITIONS: i32 = 16;

/**
 * dW[u, v, c, k] = sum over n, y, x of x[n, y + u - padTop, x + v - padLeft, c] * dy[n, y, x, k] (zero
 * outside x), for x [N, H, W, C], dy [N, outH, outW, K] and dW [3, 3, C, K], a block of `blockTiles` (a
 * multiple of 4) output tiles at a time. Scratch, 16-byte aligned: `panelV` (16 * blockTiles * C
 * rounded up to 8 floats), `packedZ` (16 * blockTiles * K rounded up to 6 floats), `acc` (16 * K * C
 * rounded up to 8 floats), `zeros` (max(C, K) rounded up to 4 floats, zeroed), `pointers` (16 u32),
 * `spill` (48 floats).
 */
export function winogradFilterGradient(
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
  spill: usize,
): void {
  const tilesH = (outH + 1) >> 1;
  const tilesW = (outW + 1) >> 1;
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
  memory.fill(acc, 0, <usize>POSITIONS * accPositionBytes);
  // Z's rows past K are never written: zero once.
  memory.fill(packedZ, 0, <usize>POSITIONS * zPositionBytes);
  for (let t0 = 0; t0 < tiles; t0 += blockTiles) {
    const count = min(blockTiles, tiles - t0);
    const depth = padK(count);
    if (count < depth) {
      // The last block's tiles past `count` up to whole groups of four: zeros in both operands.
      memory.fill(panelV, 0, <usize>POSITIONS * vPositionBytes);
      memory.fill(packedZ, 0, <usize>POSITIONS * zPositionBytes);
    }
    for (let t = 0; t < count; t++) {
      const tileIndex = t0 + t;
      const n = tileIndex / (tilesH * tilesW);
      const rest = tileIndex - n * tilesH * tilesW;
      const ty = rest / tilesW;
      const tx = rest - ty * tilesW;
      const y = ty << 1;
      const xx = tx << 1;
      gatherPatch(x, n, height, width, channels, y - padTop, xx - padLeft, 4, zeros, pointers);
      const v = panelV + <usize>(t * NR) * 4;
      for (let q = 0; q < cPanels; q++) {
        for (let half = 0; half < 2; half++) {
          const c = q * NR + half * 4;
          const at = v + <usize>q * vPanelBytes + <usize>half * 16;
          if (c < channels) transformInputGroup(pointers, <usize>c * 4, channels - c, at, vPositionBytes);
          else clearPositions(at, vPositionBytes);
        }
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
        packedZ + <usize>((t >> 2) * MR * 4 + (t & 3)) * 4,
        zBlockBytes,
        zPositionBytes,
      );
    }
    for (let p = 0; p < POSITIONS; p++) {
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
  transformGradientBack(acc, accRowBytes, accPositionBytes, channels, outC, dw);
}

@inline
function clearPositions(at: usize, s: usize): void {
  const zero = f32x4.splat(0);
  for (let p = 0; p < POSITIONS; p++) v128.store(at + <usize>p * s, zero);
}

// Z = A dY A^T with A = [1 0; 1 1; 1 -1; 0 -1], four output channels at a time, each lane to its row
// of the [tile/4][6][4] layout: output channel k at `z + (k / 6) * blockBytes + (k % 6) * 16`, position
// p `positionBytes` further on.
@inline
function transformOutputGradient(
  d00: usize,
  d01: usize,
  d10: usize,
  d11: usize,
  outC: i32,
  z: usize,
  blockBytes: usize,
  positionBytes: usize,
): void {
  for (let k = 0; k < outC; k += 4) {
    const lanes = outC - k;
    const offset = <usize>k * 4;
    const a = loadChannels(d00, offset, lanes);
    const b = loadChannels(d01, offset, lanes);
    const c = loadChannels(d10, offset, lanes);
    const d = loadChannels(d11, offset, lanes);
    // Rows of A dY: (a, b), (a + c, b + d), (a - c, b - d), (-c, -d); then each row times A^T.
    scatterRow(a, b, k, lanes, z, blockBytes, positionBytes, 0);
    scatterRow(f32x4.add(a, c), f32x4.add(b, d), k, lanes, z, blockBytes, positionBytes, 1);
    scatterRow(f32x4.sub(a, c), f32x4.sub(b, d), k, lanes, z, blockBytes, positionBytes, 2);
    scatterRow(f32x4.neg(c), f32x4.neg(d), k, lanes, z, blockBytes, positionBytes, 3);
  }
}

// Row i of Z from row i of A dY, (r0, r1): (r0, r0 + r1, r0 - r1, -r1), at positions 4i..4i+3.
@inline
function scatterRow(
  r0: v128,
  r1: v128,
  k: i32,
  lanes: i32,
  z: usize,
  blockBytes: usize,
  positionBytes: usize,
  row: i32,
): void {
  const at = z + <usize>(row * 4) * positionBytes;
  scatterLanes(r0, k, lanes, at, blockBytes);
  scatterLanes(f32x4.add(r0, r1), k, lanes, at + positionBytes, blockBytes);
  scatterLanes(f32x4.sub(r0, r1), k, lanes, at + positionBytes * 2, blockBytes);
  scatterLanes(f32x4.neg(r1), k, lanes, at + positionBytes * 3, blockBytes);
}

@inline
function zAddress(at: usize, k: i32, blockBytes: usize): usize {
  const block = k / MR;
  return at + <usize>block * blockBytes + <usize>((k - block * MR) * 16);
}

@inline
function scatterLanes(v: v128, k: i32, lanes: i32, at: usize, blockBytes: usize): void {
  store<f32>(zAddress(at, k, blockBytes), f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(zAddress(at, k + 1, blockBytes), f32x4.extract_lane(v, 1));
  if (lanes > 2) store<f32>(zAddress(at, k + 2, blockBytes), f32x4.extract_lane(v, 2));
  if (lanes > 3) store<f32>(zAddress(at, k + 3, blockBytes), f32x4.extract_lane(v, 3));
}

// dW[u][v][c][k] = (G^T M G)[u][v] with M[p] = acc[p][k][c] and G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
@inline
function transformGradientBack(
  acc: usize,
  rowBytes: usize,
  positionBytes: usize,
  channels: i32,
  outC: i32,
  dw: usize,
): void {
  for (let k = 0; k < outC; k++) {
    for (let c = 0; c < channels; c++) {
      const m = acc + <usize>k * rowBytes + <usize>c * 4;
      for (let v = 0; v < 3; v++) {
        // Column v of M G, for rows i = 0..3: (M G)[i][v] combines M[i][0..3] by G's column v.
        const r0 = columnOfMG(m, positionBytes, 0, v);
        const r1 = columnOfMG(m, positionBytes, 1, v);
        const r2 = columnOfMG(m, positionBytes, 2, v);
        const r3 = columnOfMG(m, positionBytes, 3, v);
        const half: f32 = 0.5;
        const w0 = r0 + half * (r1 + r2);
        const w1 = half * (r1 - r2);
        const w2 = half * (r1 + r2) + r3;
        store<f32>(dw + <usize>(((0 * 3 + v) * channels + c) * outC + k) * 4, w0);
        store<f32>(dw + <usize>(((1 * 3 + v) * channels + c) * outC + k) * 4, w1);
        store<f32>(dw + <usize>(((2 * 3 + v) * channels + c) * outC + k) * 4, w2);
      }
    }
  }
}

@inline
function columnOfMG(m: usize, positionBytes: usize, i: i32, v: i32): f32 {
  const at = m + <usize>(i * 4) * positionBytes;
  const m0 = load<f32>(at);
  const m1 = load<f32>(at + positionBytes);
  const m2 = load<f32>(at + positionBytes * 2);
  const m3 = load<f32>(at + positionBytes * 3);
  const half: f32 = 0.5;
  if (v == 0) return m0 + half * (m1 + m2);
  if (v == 1) return half * (m1 - m2);
  return half * (m1 + m2) + m3;
}
