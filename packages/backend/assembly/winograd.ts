// Winograd F(2x2, 3x3) for stride-1, dilation-1 3x3 convolutions (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2015): each 2x2 block of outputs is A^T [(G g G^T) ⊙ (B^T d B)] A of
// the 4x4 input patch d under it, so the 16 element-wise products become 16 matrix products
// [tiles, C] x [C, K] (4 multiply-adds per output and channel pair instead of 9), run on tile.ts's
// micro-kernel. On tfjs-backend-wasm's heap like conv.ts; the caller passes scratch space.

import { activate, ACTIVATION_LINEAR, MR, NR, padK, tile } from './tile';

// Transform positions: the 4x4 domain.
export const POSITIONS: i32 = 16;

/**
 * U = G g G^T for every 3x3 filter slice g (source channel c, output channel k), packed per position p
 * like packColumns: the [C, K] matrix of position p at `dst + p * panels * padK(C) * 8` floats, in panels
 * of 8 output channels. Forward (`transposed` 0): filter [3, 3, C, K], g[u][v] = filter[u, v, c, k].
 * Input gradient (`transposed` 1): filter [3, 3, K, C] flipped, g[u][v] = filter[2 - u, 2 - v, k, c].
 * `bias` (K floats, or 0 for none) goes to `biasOut`, zero-padded to whole panels.
 */
export function winogradPackFilter(
  src: usize,
  channels: i32,
  outC: i32,
  transposed: i32,
  dst: usize,
  bias: usize,
  biasOut: usize,
): void {
  const panels = (outC + NR - 1) / NR;
  const kp = padK(channels);
  const positionFloats = panels * kp * NR;
  memory.fill(dst, 0, <usize>(POSITIONS * positionFloats) * 4);
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < outC; k++) {
      // g's rows (u) as three columns each, then G g (4x3), then (G g) G^T (4x4).
      const base = dst + <usize>((k / NR) * kp * NR + c * NR + (k % NR)) * 4;
      for (let u = 0; u < 4; u++) {
        // Row u of G g: G's row u combines g's rows 0..2 as (1,0,0), (1/2,1/2,1/2), (1/2,-1/2,1/2), (0,0,1).
        let r0: f32 = 0;
        let r1: f32 = 0;
        let r2: f32 = 0;
        for (let v = 0; v < 3; v++) {
          const g0 = filterTap(src, channels, outC, transposed, c, k, 0, v);
          const g1 = filterTap(src, channels, outC, transposed, c, k, 1, v);
          const g2 = filterTap(src, channels, outC, transposed, c, k, 2, v);
          let value: f32;
          if (u == 0) value = g0;
          else if (u == 1) value = (g0 + g1 + g2) * 0.5;
          else if (u == 2) value = (g0 - g1 + g2) * 0.5;
          else value = g2;
          if (v == 0) r0 = value;
          else if (v == 1) r1 = value;
          else r2 = value;
        }
        const row = base + <usize>(u * 4 * positionFloats) * 4;
        const step = <usize>positionFloats * 4;
        store<f32>(row, r0);
        store<f32>(row + step, (r0 + r1 + r2) * 0.5);
        store<f32>(row + step * 2, (r0 - r1 + r2) * 0.5);
        store<f32>(row + step * 3, r2);
      }
    }
  }
  for (let k = 0; k < panels * NR; k++) {
    store<f32>(biasOut + <usize>k * 4, bias != 0 && k < outC ? load<f32>(bias + <usize>k * 4) : 0);
  }
}

@inline
function filterTap(src: usize, channels: i32, outC: i32, transposed: i32, c: i32, k: i32, u: i32, v: i32): f32 {
  if (transposed) return load<f32>(src + <usize>((((2 - u) * 3 + 2 - v) * outC + k) * channels + c) * 4);
  return load<f32>(src + <usize>(((u * 3 + v) * channels + c) * outC + k) * 4);
}

/**
 * out[n, y, x, k] = activation(bias[k] + sum over u, v < 3 and c of src[n, y + u - padTop, x + v - padLeft, c]
 * * g_ck[u][v]) (zero outside src), for an output [N, outH, outW, outC] and a source [N, srcH, srcW, C],
 * with `packed` and `bias` from winogradPackFilter. Tiles of 2x2 outputs go `blockTiles` (a multiple of
 * 6) at a time through the input transform, the 16 products and the output transform. Scratch, 16-byte
 * aligned: `packedA` (16 * blockTiles * padK(C) floats), `product` (16 * blockTiles * panels * 8
 * floats), `zeros` (max(padK(C), 8) floats, zeroed), `pointers` (16 u32), `spill` (48 floats).
 */
export function winogradConv(
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
  spill: usize,
): void {
  const tilesH = (outH + 1) >> 1;
  const tilesW = (outW + 1) >> 1;
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
        clearRow(a, kp, aPositionBytes);
        continue;
      }
      const tileIndex = t0 + t;
      const n = tileIndex / (tilesH * tilesW);
      const rest = tileIndex - n * tilesH * tilesW;
      const ty = rest / tilesW;
      const tx = rest - ty * tilesW;
      gatherPatch(src, n, srcH, srcW, channels, (ty << 1) - padTop, (tx << 1) - padLeft, zeros, pointers);
      transformInput(pointers, channels, a, aPositionBytes);
    }
    for (let p = 0; p < POSITIONS; p++) {
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
      const y = ty << 1;
      const x = tx << 1;
      const pixel = out + <usize>(((n * outH + y) * outW + x) * outC) * 4;
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
function clearRow(a: usize, kp: i32, positionBytes: usize): void {
  const zero = f32x4.splat(0);
  for (let p = 0; p < POSITIONS; p++) {
    const at = a + <usize>p * positionBytes;
    for (let g = 0; g < kp / 4; g++) v128.store(at + <usize>(g * MR * 4) * 4, zero);
  }
}

// The 16 pixels of the 4x4 patch whose top-left source pixel is (y0, x0), as pointers (`zeros` outside).
@inline
export function gatherPatch(
  src: usize,
  n: i32,
  srcH: i32,
  srcW: i32,
  channels: i32,
  y0: i32,
  x0: i32,
  zeros: usize,
  pointers: usize,
): void {
  for (let i = 0; i < 4; i++) {
    const y = y0 + i;
    const rowInside = y >= 0 && y < srcH;
    for (let j = 0; j < 4; j++) {
      const x = x0 + j;
      const inside = rowInside && x >= 0 && x < srcW;
      const pointer = inside ? src + <usize>(((n * srcH + y) * srcW + x) * channels) * 4 : zeros;
      store<u32>(pointers + <usize>(i * 4 + j) * 4, <u32>pointer);
    }
  }
}

// Four channels (fewer at the tail, zero-filled) at `pointer + offset`.
@inline
export function loadChannels(pointer: usize, offset: usize, lanes: i32): v128 {
  if (lanes >= 4) return v128.load(pointer + offset);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(pointer + offset));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(pointer + offset, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(pointer + offset, 8));
  return v;
}

@inline
function patchLoad(pointers: usize, index: i32, offset: usize, lanes: i32): v128 {
  return loadChannels(<usize>load<u32>(pointers + <usize>index * 4), offset, lanes);
}

// V = B^T d B for the patch's channels, four at a time, into the micro-kernel's [k/4][6][4] layout:
// position p of channels 4g..4g+3 at `a + p * positionBytes + g * 96` (a already points at the tile's row).
@inline
function transformInput(pointers: usize, channels: i32, a: usize, positionBytes: usize): void {
  for (let c = 0; c < channels; c += 4) {
    transformInputGroup(pointers, <usize>c * 4, channels - c, a + <usize>((c >> 2) * MR * 4) * 4, positionBytes);
  }
}

// V = B^T d B for four channels (`lanes` fewer at the tail) at byte `offset` of the patch's pixels, with
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: each row of the patch first (d B), then across rows.
// Position p = 4i + j goes to `at + p * s`.
@inline
export function transformInputGroup(pointers: usize, offset: usize, lanes: i32, at: usize, s: usize): void {
  let d0 = patchLoad(pointers, 0, offset, lanes);
  let d1 = patchLoad(pointers, 1, offset, lanes);
  let d2 = patchLoad(pointers, 2, offset, lanes);
  let d3 = patchLoad(pointers, 3, offset, lanes);
  const e00 = f32x4.sub(d0, d2);
  const e01 = f32x4.add(d1, d2);
  const e02 = f32x4.sub(d2, d1);
  const e03 = f32x4.sub(d1, d3);
  d0 = patchLoad(pointers, 4, offset, lanes);
  d1 = patchLoad(pointers, 5, offset, lanes);
  d2 = patchLoad(pointers, 6, offset, lanes);
  d3 = patchLoad(pointers, 7, offset, lanes);
  const e10 = f32x4.sub(d0, d2);
  const e11 = f32x4.add(d1, d2);
  const e12 = f32x4.sub(d2, d1);
  const e13 = f32x4.sub(d1, d3);
  d0 = patchLoad(pointers, 8, offset, lanes);
  d1 = patchLoad(pointers, 9, offset, lanes);
  d2 = patchLoad(pointers, 10, offset, lanes);
  d3 = patchLoad(pointers, 11, offset, lanes);
  const e20 = f32x4.sub(d0, d2);
  const e21 = f32x4.add(d1, d2);
  const e22 = f32x4.sub(d2, d1);
  const e23 = f32x4.sub(d1, d3);
  d0 = patchLoad(pointers, 12, offset, lanes);
  d1 = patchLoad(pointers, 13, offset, lanes);
  d2 = patchLoad(pointers, 14, offset, lanes);
  d3 = patchLoad(pointers, 15, offset, lanes);
  const e30 = f32x4.sub(d0, d2);
  const e31 = f32x4.add(d1, d2);
  const e32 = f32x4.sub(d2, d1);
  const e33 = f32x4.sub(d1, d3);
  v128.store(at, f32x4.sub(e00, e20));
  v128.store(at + s, f32x4.sub(e01, e21));
  v128.store(at + s * 2, f32x4.sub(e02, e22));
  v128.store(at + s * 3, f32x4.sub(e03, e23));
  v128.store(at + s * 4, f32x4.add(e10, e20));
  v128.store(at + s * 5, f32x4.add(e11, e21));
  v128.store(at + s * 6, f32x4.add(e12, e22));
  v128.store(at + s * 7, f32x4.add(e13, e23));
  v128.store(at + s * 8, f32x4.sub(e20, e10));
  v128.store(at + s * 9, f32x4.sub(e21, e11));
  v128.store(at + s * 10, f32x4.sub(e22, e12));
  v128.store(at + s * 11, f32x4.sub(e23, e13));
  v128.store(at + s * 12, f32x4.sub(e10, e30));
  v128.store(at + s * 13, f32x4.sub(e11, e31));
  v128.store(at + s * 14, f32x4.sub(e12, e32));
  v128.store(at + s * 15, f32x4.sub(e13, e33));
}

@inline
function storeChannels(pointer: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(pointer, v);
    return;
  }
  store<f32>(pointer, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(pointer, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(pointer, f32x4.extract_lane(v, 2), 8);
}

// Y = A^T M A with A^T = [1 1 1 0; 0 1 -1 -1], plus bias, activated, stored to the 2x2 output pixels
// at `pixel` (the right column and bottom row only where they are inside the output).
@inline
function transformOutput(
  m: usize,
  positionBytes: usize,
  bias: usize,
  outC: i32,
  activation: i32,
  pixel: usize,
  rowBytes: usize,
  pixelBytes: usize,
  hasBottom: bool,
  hasRight: bool,
): void {
  const s = positionBytes;
  for (let k = 0; k < outC; k += 4) {
    const lanes = outC - k;
    const at = m + <usize>k * 4;
    // Row i of M A: s_i0 = m_i0 + m_i1 + m_i2, s_i1 = m_i1 - m_i2 - m_i3.
    let m0 = v128.load(at);
    let m1 = v128.load(at + s);
    let m2 = v128.load(at + s * 2);
    let m3 = v128.load(at + s * 3);
    const s00 = f32x4.add(f32x4.add(m0, m1), m2);
    const s01 = f32x4.sub(f32x4.sub(m1, m2), m3);
    m0 = v128.load(at + s * 4);
    m1 = v128.load(at + s * 5);
    m2 = v128.load(at + s * 6);
    m3 = v128.load(at + s * 7);
    const s10 = f32x4.add(f32x4.add(m0, m1), m2);
    const s11 = f32x4.sub(f32x4.sub(m1, m2), m3);
    m0 = v128.load(at + s * 8);
    m1 = v128.load(at + s * 9);
    m2 = v128.load(at + s * 10);
    m3 = v128.load(at + s * 11);
    const s20 = f32x4.add(f32x4.add(m0, m1), m2);
    const s21 = f32x4.sub(f32x4.sub(m1, m2), m3);
    m0 = v128.load(at + s * 12);
    m1 = v128.load(at + s * 13);
    m2 = v128.load(at + s * 14);
    m3 = v128.load(at + s * 15);
    const s30 = f32x4.add(f32x4.add(m0, m1), m2);
    const s31 = f32x4.sub(f32x4.sub(m1, m2), m3);
    const b = v128.load(bias + <usize>k * 4);
    const to = pixel + <usize>k * 4;
    storeChannels(to, activate(f32x4.add(f32x4.add(f32x4.add(s00, s10), s20), b), activation), lanes);
    if (hasRight) {
      storeChannels(to + pixelBytes, activate(f32x4.add(f32x4.add(f32x4.add(s01, s11), s21), b), activation), lanes);
    }
    if (hasBottom) {
      const below = to + rowBytes;
      storeChannels(below, activate(f32x4.add(f32x4.sub(f32x4.sub(s10, s20), s30), b), activation), lanes);
      if (hasRight) {
        storeChannels(
          below + pixelBytes,
          activate(f32x4.add(f32x4.sub(f32x4.sub(s11, s21), s31), b), activation),
          lanes,
        );
      }
    }
  }
}
