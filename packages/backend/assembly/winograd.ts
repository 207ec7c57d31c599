// Winograd F(m x m, r x r), for F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 5x5), for stride-1, dilation-1
// convolutions (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each m x m
// block of outputs is A^T [(G g G^T) ⊙ (B^T d B)] A of the (m+r-1)^2 input patch d under it, so the
// element-wise products become (m+r-1)^2 matrix products [tiles, C] x [C, K] (per output and channel
// pair 4 multiply-adds for F(2x2, 3x3), 2.25 for F(4x4, 3x3), 9 for F(2x2, 5x5), instead of 9, 9 and
// 25), run on tile.ts's micro-kernel. The 6x6 transforms use the points 0, ±1, ±2 and infinity, so
// F(4x4, 3x3) and F(2x2, 5x5) share B^T. On tfjs-backend-wasm's heap like conv.ts; the caller passes
// scratch space.

import { activate, ACTIVATION_LINEAR, MR, NR, padK, tile } from './tile';

// Transform positions of F(2x2, 3x3): its 4x4 domain.
export const POSITIONS: i32 = 16;

/**
 * U = G g G^T of F(m x m, r x r) for every r x r filter slice g (source channel c, output channel k),
 * packed per position p < (m+r-1)^2 like packColumns: the [C, K] matrix of position p at
 * `dst + p * panels * padK(C) * 8` floats, in panels of 8 output channels. Forward (`transposed` 0):
 * filter [r, r, C, K], g[u][v] = filter[u, v, c, k]. Input gradient (`transposed` 1): filter [r, r, K, C]
 * flipped, g[u][v] = filter[r-1-u, r-1-v, k, c]. `bias` (K floats, or 0 for none) goes to `biasOut`,
 * zero-padded to whole panels.
 */
export function winogradPackFilter(
  m: i32,
  r: i32,
  src: usize,
  channels: i32,
  outC: i32,
  transposed: i32,
  dst: usize,
  bias: usize,
  biasOut: usize,
): void {
  const size = m + r - 1;
  const panels = (outC + NR - 1) / NR;
  const kp = padK(channels);
  const positionBytes = <usize>(panels * kp * NR) * 4;
  memory.fill(dst, 0, <usize>(size * size) * positionBytes);
  for (let k = 0; k < panels * NR; k++) {
    store<f32>(biasOut + <usize>k * 4, bias != 0 && k < outC ? load<f32>(bias + <usize>k * 4) : 0);
  }
  if (r == 5) {
    packFilter5(src, channels, outC, transposed, dst, kp, positionBytes);
    return;
  }
  for (let c = 0; c < channels; c++) {
    // Four output channels at a time; lanes past K load zeros and store zeros.
    for (let k = 0; k < outC; k += 4) {
      const lanes = outC - k;
      const g00 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 0, 0);
      const g01 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 0, 1);
      const g02 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 0, 2);
      const g10 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 1, 0);
      const g11 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 1, 1);
      const g12 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 1, 2);
      const g20 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 2, 0);
      const g21 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 2, 1);
      const g22 = loadTaps(src, 3, channels, outC, transposed, c, k, lanes, 2, 2);
      const at = dst + <usize>((k / NR) * kp * NR + c * NR + (k % NR)) * 4;
      for (let u = 0; u < size; u++) {
        // Row u of G g, then that row times G^T.
        const r0 = filterRow(m, u, g00, g10, g20);
        const r1 = filterRow(m, u, g01, g11, g21);
        const r2 = filterRow(m, u, g02, g12, g22);
        for (let w = 0; w < size; w++) {
          v128.store(at + <usize>(u * size + w) * positionBytes, filterRow(m, w, r0, r1, r2));
        }
      }
    }
  }
}

// winogradPackFilter's F(2x2, 5x5): U = G g G^T with G's six rows (filterRow5), reading the taps as needed.
@inline
function packFilter5(
  src: usize,
  channels: i32,
  outC: i32,
  transposed: i32,
  dst: usize,
  kp: i32,
  positionBytes: usize,
): void {
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < outC; k += 4) {
      const lanes = outC - k;
      const at = dst + <usize>((k / NR) * kp * NR + c * NR + (k % NR)) * 4;
      for (let u = 0; u < 6; u++) {
        // Row u of G g, one column of the taps at a time.
        const r0 = filterColumn5(src, channels, outC, transposed, c, k, lanes, u, 0);
        const r1 = filterColumn5(src, channels, outC, transposed, c, k, lanes, u, 1);
        const r2 = filterColumn5(src, channels, outC, transposed, c, k, lanes, u, 2);
        const r3 = filterColumn5(src, channels, outC, transposed, c, k, lanes, u, 3);
        const r4 = filterColumn5(src, channels, outC, transposed, c, k, lanes, u, 4);
        for (let w = 0; w < 6; w++) {
          v128.store(at + <usize>(u * 6 + w) * positionBytes, filterRow5(w, r0, r1, r2, r3, r4));
        }
      }
    }
  }
}

// (G g)[u][v] of F(2x2, 5x5): G's row u over column v of the 5x5 taps.
@inline
function filterColumn5(
  src: usize,
  channels: i32,
  outC: i32,
  transposed: i32,
  c: i32,
  k: i32,
  lanes: i32,
  u: i32,
  v: i32,
): v128 {
  return filterRow5(
    u,
    loadTaps(src, 5, channels, outC, transposed, c, k, lanes, 0, v),
    loadTaps(src, 5, channels, outC, transposed, c, k, lanes, 1, v),
    loadTaps(src, 5, channels, outC, transposed, c, k, lanes, 2, v),
    loadTaps(src, 5, channels, outC, transposed, c, k, lanes, 3, v),
    loadTaps(src, 5, channels, outC, transposed, c, k, lanes, 4, v),
  );
}

// Row u of F(2x2, 5x5)'s G times (x0..x4): G = [1/4 0 0 0 0; -1/6 (1 1 1 1 1); -1/6 (1 -1 1 -1 1);
// 1/24 (1 2 4 8 16); 1/24 (1 -2 4 -8 16); 0 0 0 0 1].
@inline
function filterRow5(u: i32, x0: v128, x1: v128, x2: v128, x3: v128, x4: v128): v128 {
  if (u == 0) return f32x4.mul(x0, f32x4.splat(0.25));
  if (u == 5) return x4;
  if (u <= 2) {
    const even = f32x4.add(f32x4.add(x0, x2), x4);
    const odd = f32x4.add(x1, x3);
    return f32x4.mul(u == 1 ? f32x4.add(even, odd) : f32x4.sub(even, odd), f32x4.splat(-1.0 / 6.0));
  }
  const even = f32x4.add(f32x4.add(x0, f32x4.mul(x2, f32x4.splat(4))), f32x4.mul(x4, f32x4.splat(16)));
  const odd = f32x4.add(f32x4.mul(x1, f32x4.splat(2)), f32x4.mul(x3, f32x4.splat(8)));
  return f32x4.mul(u == 3 ? f32x4.add(even, odd) : f32x4.sub(even, odd), f32x4.splat(1.0 / 24.0));
}

// Tap (u, v) of the r x r filter g for output channels k..k+3 (`lanes` of them, zeros past).
@inline
function loadTaps(
  src: usize,
  r: i32,
  channels: i32,
  outC: i32,
  transposed: i32,
  c: i32,
  k: i32,
  lanes: i32,
  u: i32,
  v: i32,
): v128 {
  if (!transposed) return loadChannels(src + <usize>((u * r + v) * channels + c) * <usize>outC * 4, <usize>k * 4, lanes);
  // [r, r, K, C] flipped: output channels are C floats apart.
  const at = src + <usize>((((r - 1 - u) * r + r - 1 - v) * outC + k) * channels + c) * 4;
  const step = <usize>channels * 4;
  let x = f32x4.splat(0);
  x = f32x4.replace_lane(x, 0, load<f32>(at));
  if (lanes > 1) x = f32x4.replace_lane(x, 1, load<f32>(at + step));
  if (lanes > 2) x = f32x4.replace_lane(x, 2, load<f32>(at + step * 2));
  if (lanes > 3) x = f32x4.replace_lane(x, 3, load<f32>(at + step * 3));
  return x;
}

// Row u of G times (x0, x1, x2). F(2x2, 3x3): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. F(4x4, 3x3):
// G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
@inline
function filterRow(m: i32, u: i32, x0: v128, x1: v128, x2: v128): v128 {
  if (m == 2) {
    if (u == 0) return x0;
    if (u == 3) return x2;
    const sum = f32x4.add(x0, x2);
    return f32x4.mul(u == 1 ? f32x4.add(sum, x1) : f32x4.sub(sum, x1), f32x4.splat(0.5));
  }
  if (u == 0) return f32x4.mul(x0, f32x4.splat(0.25));
  if (u == 5) return x2;
  if (u <= 2) {
    const sum = f32x4.add(x0, x2);
    return f32x4.mul(u == 1 ? f32x4.add(sum, x1) : f32x4.sub(sum, x1), f32x4.splat(-1.0 / 6.0));
  }
  const even = f32x4.add(f32x4.mul(x0, f32x4.splat(1.0 / 24.0)), f32x4.mul(x2, f32x4.splat(1.0 / 6.0)));
  const odd = f32x4.mul(x1, f32x4.splat(1.0 / 12.0));
  return u == 3 ? f32x4.add(even, odd) : f32x4.sub(even, odd);
}

/**
 * out[n, y, x, k] = activation(bias[k] + sum over u, v < r and c of src[n, y + u - padTop, x + v - padLeft, c]
 * * g_ck[u][v]) (zero outside src), for an output [N, outH, outW, outC] and a source [N, srcH, srcW, C],
 * with `packed` and `bias` from winogradPackFilter for the same m and r (the filter is r x r, u, v < r).
 * Tiles of m x m outputs go `blockTiles` (a multiple of 6) at a time through the input transform, the
 * P = (m+r-1)^2 products and the output transform. Scratch, 16-byte aligned: `packedA` (P * blockTiles * padK(C) floats), `product` (P *
 * blockTiles * panels * 8 floats), `zeros` (max(padK(C), 8) floats, zeroed), `pointers` (P u32), `temp`
 * (160 floats, F(4x4, 3x3)'s transforms), `spill` (48 floats).
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

// The size x size pixels of the patch whose top-left source pixel is (y0, x0), as pointers (`zeros`
// outside), row by row.
@inline
export function gatherPatch(
  src: usize,
  n: i32,
  srcH: i32,
  srcW: i32,
  channels: i32,
  y0: i32,
  x0: i32,
  size: i32,
  zeros: usize,
  pointers: usize,
): void {
  for (let i = 0; i < size; i++) {
    const y = y0 + i;
    const rowInside = y >= 0 && y < srcH;
    for (let j = 0; j < size; j++) {
      const x = x0 + j;
      const inside = rowInside && x >= 0 && x < srcW;
      const pointer = inside ? src + <usize>(((n * srcH + y) * srcW + x) * channels) * 4 : zeros;
      store<u32>(pointers + <usize>(i * size + j) * 4, <u32>pointer);
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

// V = B^T d B of a 6x6 patch (F(4x4, 3x3) and F(2x2, 5x5)) for its channels, four at a time, with
// B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]:
// each row of the patch into `temp` (d B), then each column of that to position 6i + j at
// `a + p * positionBytes + g * 96` (the micro-kernel's layout, as transformInput).
@inline
function transformInput6(pointers: usize, channels: i32, a: usize, positionBytes: usize, temp: usize): void {
  for (let c = 0; c < channels; c += 4) {
    const lanes = channels - c;
    const offset = <usize>c * 4;
    for (let i = 0; i < 6; i++) {
      transformInputLine(
        patchLoad(pointers, i * 6, offset, lanes),
        patchLoad(pointers, i * 6 + 1, offset, lanes),
        patchLoad(pointers, i * 6 + 2, offset, lanes),
        patchLoad(pointers, i * 6 + 3, offset, lanes),
        patchLoad(pointers, i * 6 + 4, offset, lanes),
        patchLoad(pointers, i * 6 + 5, offset, lanes),
        temp + <usize>(i * 6) * 16,
        16,
      );
    }
    const at = a + <usize>((c >> 2) * MR * 4) * 4;
    for (let j = 0; j < 6; j++) {
      const column = temp + <usize>j * 16;
      transformInputLine(
        v128.load(column),
        v128.load(column, 96),
        v128.load(column, 192),
        v128.load(column, 288),
        v128.load(column, 384),
        v128.load(column, 480),
        at + <usize>j * positionBytes,
        positionBytes * 6,
      );
    }
  }
}

// B^T (d0..d5) of a 6x6 patch, to `at + i * step`.
@inline
function transformInputLine(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, at: usize, step: usize): void {
  const four = f32x4.splat(4);
  const five = f32x4.splat(5);
  const two = f32x4.splat(2);
  // Shared parts: rows 1 and 2 are d4 + d3 - 4 (d1 + d2) and d4 - d3 + 4 (d1 - d2); rows 3 and 4 are
  // d4 - d2 -+ 2 (d1 - d3).
  const a = f32x4.sub(d4, f32x4.mul(four, d2));
  const b = f32x4.sub(d3, f32x4.mul(four, d1));
  const c = f32x4.sub(d4, d2);
  const e = f32x4.mul(two, f32x4.sub(d1, d3));
  v128.store(at, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(at + step, f32x4.add(a, b));
  v128.store(at + step * 2, f32x4.sub(a, b));
  v128.store(at + step * 3, f32x4.sub(c, e));
  v128.store(at + step * 4, f32x4.add(c, e));
  v128.store(at + step * 5, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

// A^T (m0..m5) to `at + i * step`: F(4x4, 3x3)'s A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0;
// 0 1 -1 8 -8 1], F(2x2, 5x5)'s its first row and [0 1 -1 2 -2 1].
@inline
function transformOutputLine(
  m: i32,
  m0: v128,
  m1: v128,
  m2: v128,
  m3: v128,
  m4: v128,
  m5: v128,
  at: usize,
  step: usize,
): void {
  const sum12 = f32x4.add(m1, m2);
  const diff12 = f32x4.sub(m1, m2);
  const sum34 = f32x4.add(m3, m4);
  const diff34 = f32x4.sub(m3, m4);
  v128.store(at, f32x4.add(f32x4.add(m0, sum12), sum34));
  const second = f32x4.add(diff12, f32x4.mul(f32x4.splat(2), diff34));
  if (m == 2) {
    v128.store(at + step, f32x4.add(second, m5));
    return;
  }
  v128.store(at + step, second);
  v128.store(at + step * 2, f32x4.add(sum12, f32x4.mul(f32x4.splat(4), sum34)));
  v128.store(at + step * 3, f32x4.add(f32x4.add(diff12, f32x4.mul(f32x4.splat(8), diff34)), m5));
}

// Y = A^T M A of a 6x6 M (m = 4: F(4x4, 3x3); m = 2: F(2x2, 5x5)) plus bias, activated, to the
// `rows` x `cols` output pixels of the tile at `pixel` (fewer than m at the bottom and right edges):
// each of M's 6 rows into `temp` (M A, 6 x m), then each column of that after it (m x m).
@inline
function transformOutput6(
  m: i32,
  product: usize,
  positionBytes: usize,
  bias: usize,
  outC: i32,
  activation: i32,
  pixel: usize,
  rowBytes: usize,
  pixelBytes: usize,
  rows: i32,
  cols: i32,
  temp: usize,
): void {
  const s = positionBytes;
  const y = temp + <usize>(6 * m) * 16;
  const columnStep = <usize>m * 16;
  for (let k = 0; k < outC; k += 4) {
    const lanes = outC - k;
    const at = product + <usize>k * 4;
    for (let i = 0; i < 6; i++) {
      const row = at + <usize>(i * 6) * s;
      transformOutputLine(
        m,
        v128.load(row),
        v128.load(row + s),
        v128.load(row + s * 2),
        v128.load(row + s * 3),
        v128.load(row + s * 4),
        v128.load(row + s * 5),
        temp + <usize>i * columnStep,
        16,
      );
    }
    for (let j = 0; j < m; j++) {
      const column = temp + <usize>j * 16;
      transformOutputLine(
        m,
        v128.load(column),
        v128.load(column + columnStep),
        v128.load(column + columnStep * 2),
        v128.load(column + columnStep * 3),
        v128.load(column + columnStep * 4),
        v128.load(column + columnStep * 5),
        y + <usize>j * 16,
        columnStep,
      );
    }
    const b = v128.load(bias + <usize>k * 4);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const value = activate(f32x4.add(v128.load(y + <usize>(r * m + j) * 16), b), activation);
        storeChannels(pixel + <usize>r * rowBytes + <usize>j * pixelBytes + <usize>k * 4, value, lanes);
      }
    }
  }
}
