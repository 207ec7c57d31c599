// The input and output transforms of winograd.ts's F(2x2, 3x3) (4x4 patches) and of F(4x4, 3x3) and
// F(2x2, 5x5) (6x6 patches, points 0, ±1, ±2 and infinity, so one B^T), four channels per vector.

import { activate, MR } from './tile';

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
export function patchLoad(pointers: usize, index: i32, offset: usize, lanes: i32): v128 {
  return loadChannels(<usize>load<u32>(pointers + <usize>index * 4), offset, lanes);
}

// V = B^T d B for the patch's channels, four at a time, into the micro-kernel's [k/4][6][4] layout:
// position p of channels 4g..4g+3 at `a + p * positionBytes + g * 96` (a already points at the tile's row).
@inline
export function transformInput(pointers: usize, channels: i32, a: usize, positionBytes: usize): void {
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
export function storeChannels(pointer: usize, v: v128, lanes: i32): void {
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
export function transformOutput(
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
// B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
// position 6i + j of channels 4g..4g+3 at `a + p * positionBytes + g * 96` (the micro-kernel's layout,
// as transformInput).
@inline
export function transformInput6(pointers: usize, channels: i32, a: usize, positionBytes: usize, temp: usize): void {
  for (let c = 0; c < channels; c += 4) {
    transformInput6Group(pointers, <usize>c * 4, channels - c, a + <usize>((c >> 2) * MR * 4) * 4, positionBytes, temp);
  }
}

// transformInput6 for four channels (`lanes` fewer at the tail) at byte `offset` of the patch's pixels:
// each row of the patch into `temp` (d B), then each column of that to position p = 6i + j at `at + p * s`.
@inline
export function transformInput6Group(pointers: usize, offset: usize, lanes: i32, at: usize, s: usize, temp: usize): void {
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
  for (let j = 0; j < 6; j++) {
    const column = temp + <usize>j * 16;
    transformInputLine(
      v128.load(column),
      v128.load(column, 96),
      v128.load(column, 192),
      v128.load(column, 288),
      v128.load(column, 384),
      v128.load(column, 480),
      at + <usize>j * s,
      s * 6,
    );
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
export function transformOutput6(
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
