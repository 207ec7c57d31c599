// The transforms of winograd-filter-gradient.ts: Z = A dY A^T of the output gradient's m x m tiles, into
// the micro-kernel's left-operand layout, and dW = G^T M G of the summed products M, for F(2x2, 3x3)
// (4x4 domain) and F(4x4, 3x3) and F(2x2, 5x5) (6x6 domain, points 0, ±1, ±2 and infinity).

import { MR } from './tile';
import { patchLoad } from './winograd-transforms';

// dW[u][v][c][k] = (G^T M G)[u][v] with M[p] = acc[p][k][c] and G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
@inline
export function transformGradientBack(
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

// A (d0..d(m-1)) to `at + i * step`, i < 6, for the 6 x m matrix A of F(4x4, 3x3) (m = 4) or F(2x2, 5x5)
// (m = 2): row i evaluates the polynomial d0 + d1 t + ... at t = 0, 1, -1, 2, -2, and its leading
// coefficient for infinity.
@inline
function expandLine(m: i32, d0: v128, d1: v128, d2: v128, d3: v128, at: usize, step: usize): void {
  let even1 = d0;
  let odd1 = d1;
  let even2 = d0;
  let odd2 = f32x4.add(d1, d1);
  if (m == 4) {
    even1 = f32x4.add(d0, d2);
    odd1 = f32x4.add(d1, d3);
    even2 = f32x4.add(d0, f32x4.mul(d2, f32x4.splat(4)));
    odd2 = f32x4.add(odd2, f32x4.mul(d3, f32x4.splat(8)));
  }
  v128.store(at, d0);
  v128.store(at + step, f32x4.add(even1, odd1));
  v128.store(at + step * 2, f32x4.sub(even1, odd1));
  v128.store(at + step * 3, f32x4.add(even2, odd2));
  v128.store(at + step * 4, f32x4.sub(even2, odd2));
  v128.store(at + step * 5, m == 4 ? d3 : d1);
}

// G^T (w0..w5) to `at + v * step`, v < r, for the 6 x r matrix G of F(4x4, 3x3) (r = 3) or F(2x2, 5x5)
// (r = 5): G's rows are t^v at t = 0, 1, -1, 2, -2 scaled by 1/4, -1/6, -1/6, 1/24, 1/24, and the last
// tap for infinity, so (G^T w)[v] = w0/4 [v = 0] - (w1 ± w2)/6 + 2^v (w3 ± w4)/24 + w5 [v = r - 1].
@inline
function contractLine(r: i32, w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, at: usize, step: usize): void {
  const sum12 = f32x4.mul(f32x4.add(w1, w2), f32x4.splat(-1.0 / 6.0));
  const diff12 = f32x4.mul(f32x4.sub(w1, w2), f32x4.splat(-1.0 / 6.0));
  const sum34 = f32x4.add(w3, w4);
  const diff34 = f32x4.sub(w3, w4);
  let scale: f32 = 1.0 / 24.0;
  for (let v = 0; v < r; v++) {
    const even = (v & 1) == 0;
    let out = f32x4.add(even ? sum12 : diff12, f32x4.mul(even ? sum34 : diff34, f32x4.splat(scale)));
    if (v == 0) out = f32x4.add(out, f32x4.mul(w0, f32x4.splat(0.25)));
    if (v == r - 1) out = f32x4.add(out, w5);
    v128.store(at + <usize>v * step, out);
    scale *= 2;
  }
}

// dW[u][v][c][k] = (G^T M G)[u][v] with M[p] = acc[p][k][c] (6x6), four source channels at a time
// (acc's rows are padded to whole vectors), for r = 3 or 5. `temp`: 6 * r + r vectors.
@inline
export function transformGradientBack6(
  r: i32,
  acc: usize,
  rowBytes: usize,
  positionBytes: usize,
  channels: i32,
  outC: i32,
  dw: usize,
  temp: usize,
): void {
  const column = temp + <usize>(6 * r) * 16;
  const tapBytes = <usize>(channels * outC) * 4;
  for (let k = 0; k < outC; k++) {
    for (let c = 0; c < channels; c += 4) {
      const lanes = min(4, channels - c);
      const m = acc + <usize>k * rowBytes + <usize>c * 4;
      // Row i of M times G: temp[i][v], v < r.
      for (let i = 0; i < 6; i++) {
        const at = m + <usize>(i * 6) * positionBytes;
        contractLine(
          r,
          v128.load(at),
          v128.load(at + positionBytes),
          v128.load(at + positionBytes * 2),
          v128.load(at + positionBytes * 3),
          v128.load(at + positionBytes * 4),
          v128.load(at + positionBytes * 5),
          temp + <usize>(i * r) * 16,
          16,
        );
      }
      // Column v of that times G^T: dW[u][v], u < r.
      const step = <usize>r * 16;
      for (let v = 0; v < r; v++) {
        const at = temp + <usize>v * 16;
        contractLine(
          r,
          v128.load(at),
          v128.load(at + step),
          v128.load(at + step * 2),
          v128.load(at + step * 3),
          v128.load(at + step * 4),
          v128.load(at + step * 5),
          column,
          16,
        );
        for (let u = 0; u < r; u++) {
          const value = v128.load(column + <usize>u * 16);
          const to = dw + <usize>(u * r + v) * tapBytes + <usize>(c * outC + k) * 4;
          store<f32>(to, f32x4.extract_lane(value, 0));
          if (lanes > 1) store<f32>(to + <usize>outC * 4, f32x4.extract_lane(value, 1));
          if (lanes > 2) store<f32>(to + <usize>outC * 8, f32x4.extract_lane(value, 2));
          if (lanes > 3) store<f32>(to + <usize>outC * 12, f32x4.extract_lane(value, 3));
        }
      }
    }
  }
}

// Z = A dY A^T for four tiles at once, whose m x m dY pixels are at `pointers` (4 x m * m u32, a zero
// row outside the output or past the last tile), to the micro-kernel's [tile/4][6][4] layout: output
// channel k of the four tiles at `z + (k / 6) * blockBytes + (k % 6) * 16`, position p `positionBytes`
// further on. Four output channels at a time: each tile's P = size^2 positions into `temp`, then per
// position a 4x4 transpose makes each channel's four tiles one vector (one store instead of four lane
// extracts). `temp`: 4 * P + 6 * m + 6 vectors.
@inline
export function transformOutputGradients(
  m: i32,
  size: i32,
  pointers: usize,
  outC: i32,
  z: usize,
  blockBytes: usize,
  positionBytes: usize,
  temp: usize,
): void {
  const positions = size * size;
  const tileBytes = <usize>positions * 16;
  const pointerBytes = <usize>(m * m) * 4;
  const work = temp + tileBytes * 4;
  for (let k = 0; k < outC; k += 4) {
    const lanes = outC - k;
    const offset = <usize>k * 4;
    for (let u = 0; u < 4; u++) {
      const tilePointers = pointers + <usize>u * pointerBytes;
      const out = temp + <usize>u * tileBytes;
      if (size == 4) transformOutputGradient4(tilePointers, offset, lanes, out);
      else transformOutputGradient6(m, tilePointers, offset, lanes, out, work);
    }
    const rows = min(4, lanes);
    for (let p = 0; p < positions; p++) {
      const at = temp + <usize>p * 16;
      const a = v128.load(at);
      const b = v128.load(at + tileBytes);
      const c = v128.load(at + tileBytes * 2);
      const d = v128.load(at + tileBytes * 3);
      const ab01 = i32x4.shuffle(a, b, 0, 4, 1, 5);
      const cd01 = i32x4.shuffle(c, d, 0, 4, 1, 5);
      const ab23 = i32x4.shuffle(a, b, 2, 6, 3, 7);
      const cd23 = i32x4.shuffle(c, d, 2, 6, 3, 7);
      const to = z + <usize>p * positionBytes;
      v128.store(zAddress(to, k, blockBytes), i32x4.shuffle(ab01, cd01, 0, 1, 4, 5));
      if (rows > 1) v128.store(zAddress(to, k + 1, blockBytes), i32x4.shuffle(ab01, cd01, 2, 3, 6, 7));
      if (rows > 2) v128.store(zAddress(to, k + 2, blockBytes), i32x4.shuffle(ab23, cd23, 0, 1, 4, 5));
      if (rows > 3) v128.store(zAddress(to, k + 3, blockBytes), i32x4.shuffle(ab23, cd23, 2, 3, 6, 7));
    }
  }
}

@inline
function zAddress(at: usize, k: i32, blockBytes: usize): usize {
  const block = k / MR;
  return at + <usize>block * blockBytes + <usize>((k - block * MR) * 16);
}

// Z = A dY A^T of one 2x2 tile (F(2x2, 3x3)), A = [1 0; 1 1; 1 -1; 0 -1], four channels at byte
// `offset`, position p = 4i + j to `out + p * 16`.
@inline
function transformOutputGradient4(pointers: usize, offset: usize, lanes: i32, out: usize): void {
  const a = patchLoad(pointers, 0, offset, lanes);
  const b = patchLoad(pointers, 1, offset, lanes);
  const c = patchLoad(pointers, 2, offset, lanes);
  const d = patchLoad(pointers, 3, offset, lanes);
  // Rows of A dY: (a, b), (a + c, b + d), (a - c, b - d), (-c, -d); then each row times A^T.
  expandRow2(a, b, out);
  expandRow2(f32x4.add(a, c), f32x4.add(b, d), out + 64);
  expandRow2(f32x4.sub(a, c), f32x4.sub(b, d), out + 128);
  expandRow2(f32x4.neg(c), f32x4.neg(d), out + 192);
}

// A (r0, r1) = (r0, r0 + r1, r0 - r1, -r1) to `out`.
@inline
function expandRow2(r0: v128, r1: v128, out: usize): void {
  v128.store(out, r0);
  v128.store(out, f32x4.add(r0, r1), 16);
  v128.store(out, f32x4.sub(r0, r1), 32);
  v128.store(out, f32x4.neg(r1), 48);
}

// Z = A dY A^T (6x6) of one m x m tile (F(4x4, 3x3): m = 4, F(2x2, 5x5): m = 2), four channels at byte
// `offset`, position p = 6i + j to `out + p * 16`. `work`: 6 * m vectors.
@inline
function transformOutputGradient6(m: i32, pointers: usize, offset: usize, lanes: i32, out: usize, work: usize): void {
  const zero = f32x4.splat(0);
  // Column j of dY to column j of A dY: work[i][j], i < 6.
  for (let j = 0; j < m; j++) {
    expandLine(
      m,
      patchLoad(pointers, j, offset, lanes),
      patchLoad(pointers, m + j, offset, lanes),
      m == 4 ? patchLoad(pointers, 2 * m + j, offset, lanes) : zero,
      m == 4 ? patchLoad(pointers, 3 * m + j, offset, lanes) : zero,
      work + <usize>j * 16,
      <usize>m * 16,
    );
  }
  // Row i of A dY times A^T: positions 6i..6i+5.
  for (let i = 0; i < 6; i++) {
    const at = work + <usize>(i * m) * 16;
    expandLine(
      m,
      v128.load(at),
      v128.load(at, 16),
      m == 4 ? v128.load(at, 32) : zero,
      m == 4 ? v128.load(at, 48) : zero,
      out + <usize>(i * 6) * 16,
      16,
    );
  }
}
