// The register-tile micro-kernel that every matrix product of our kernels runs (conv.ts, winograd.ts,
// winograd-filter-gradient.ts).
//
// The register tile is 6 rows x 8 columns (12 f32x4 accumulators, 2 for the right operand, 1 for the
// broadcast left value: 15 of x86's 16 vector registers), the left operand packed per tile and broadcast
// by shuffles (see `tile`), the right one packed in panels of 8 columns so that each step reads 32
// contiguous bytes.

export const MR: i32 = 6;
export const NR: i32 = 8;

// The `activation` argument's codes (conv2d.ts passes the same numbers).
export const ACTIVATION_LINEAR: i32 = 0;
export const ACTIVATION_RELU: i32 = 1;
export const ACTIVATION_RELU6: i32 = 2;

// a * b + c, fused where the engine has relaxed SIMD (one rounding instead of two).
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline
export function activate(v: v128, activation: i32): v128 {
  if (activation == ACTIVATION_RELU) return f32x4.max(v, f32x4.splat(0));
  if (activation == ACTIVATION_RELU6) return f32x4.min(f32x4.max(v, f32x4.splat(0)), f32x4.splat(6));
  return v;
}

/** K rounded up to whole groups of four, the unit of the micro-kernel's loop. */
@inline
export function padK(k: i32): i32 {
  return (k + 3) & ~3;
}

// One 6x8 tile: out[r, 0..8] = activation(init[r] + sum over k of A[k][r] * panel[k]), with A packed as
// [k/4][6 rows][4] (one vector load per row covers four k, broadcast lane by lane) and the panel as
// [k][8]. Broadcasting from a register (a shuffle) instead of a memory splat per k keeps the loop at
// three pointers, so V8 spills nothing. Row r starts from `init + initStride * r` (stride 0: a bias
// for every row; rows past `rows` repeat the last and are not stored).
@inline
export function tile(
  packedA: usize,
  groups: i32,
  panel: usize,
  init: usize,
  initStride: usize,
  out: usize,
  outStride: usize,
  rows: i32,
  cols: i32,
  activation: i32,
  spill: usize,
): void {
  const i0 = init + initStride * <usize>min(0, rows - 1);
  let c00 = v128.load(i0);
  let c01 = v128.load(i0, 16);
  const i1 = init + initStride * <usize>min(1, rows - 1);
  let c10 = v128.load(i1);
  let c11 = v128.load(i1, 16);
  const i2 = init + initStride * <usize>min(2, rows - 1);
  let c20 = v128.load(i2);
  let c21 = v128.load(i2, 16);
  const i3 = init + initStride * <usize>min(3, rows - 1);
  let c30 = v128.load(i3);
  let c31 = v128.load(i3, 16);
  const i4 = init + initStride * <usize>min(4, rows - 1);
  let c40 = v128.load(i4);
  let c41 = v128.load(i4, 16);
  const i5 = init + initStride * <usize>min(5, rows - 1);
  let c50 = v128.load(i5);
  let c51 = v128.load(i5, 16);
  let ap = packedA;
  let w = panel;
  for (let g = 0; g < groups; g++) {
    const v0 = v128.load(ap);
    const v1 = v128.load(ap, 16);
    const v2 = v128.load(ap, 32);
    const v3 = v128.load(ap, 48);
    const v4 = v128.load(ap, 64);
    const v5 = v128.load(ap, 80);
    let b0: v128;
    let b1: v128;
    let a: v128;
    b0 = v128.load(w, 0);
    b1 = v128.load(w, 16);
    a = i32x4.shuffle(v0, v0, 0, 0, 0, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = i32x4.shuffle(v1, v1, 0, 0, 0, 0);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = i32x4.shuffle(v2, v2, 0, 0, 0, 0);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = i32x4.shuffle(v3, v3, 0, 0, 0, 0);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = i32x4.shuffle(v4, v4, 0, 0, 0, 0);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = i32x4.shuffle(v5, v5, 0, 0, 0, 0);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    b0 = v128.load(w, 32);
    b1 = v128.load(w, 48);
    a = i32x4.shuffle(v0, v0, 1, 1, 1, 1);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = i32x4.shuffle(v1, v1, 1, 1, 1, 1);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = i32x4.shuffle(v2, v2, 1, 1, 1, 1);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = i32x4.shuffle(v3, v3, 1, 1, 1, 1);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = i32x4.shuffle(v4, v4, 1, 1, 1, 1);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = i32x4.shuffle(v5, v5, 1, 1, 1, 1);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    b0 = v128.load(w, 64);
    b1 = v128.load(w, 80);
    a = i32x4.shuffle(v0, v0, 2, 2, 2, 2);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = i32x4.shuffle(v1, v1, 2, 2, 2, 2);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = i32x4.shuffle(v2, v2, 2, 2, 2, 2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = i32x4.shuffle(v3, v3, 2, 2, 2, 2);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = i32x4.shuffle(v4, v4, 2, 2, 2, 2);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = i32x4.shuffle(v5, v5, 2, 2, 2, 2);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    b0 = v128.load(w, 96);
    b1 = v128.load(w, 112);
    a = i32x4.shuffle(v0, v0, 3, 3, 3, 3);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = i32x4.shuffle(v1, v1, 3, 3, 3, 3);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = i32x4.shuffle(v2, v2, 3, 3, 3, 3);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = i32x4.shuffle(v3, v3, 3, 3, 3, 3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = i32x4.shuffle(v4, v4, 3, 3, 3, 3);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = i32x4.shuffle(v5, v5, 3, 3, 3, 3);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    ap += 96;
    w += 128;
  }
  c00 = activate(c00, activation);
  c01 = activate(c01, activation);
  c10 = activate(c10, activation);
  c11 = activate(c11, activation);
  c20 = activate(c20, activation);
  c21 = activate(c21, activation);
  c30 = activate(c30, activation);
  c31 = activate(c31, activation);
  c40 = activate(c40, activation);
  c41 = activate(c41, activation);
  c50 = activate(c50, activation);
  c51 = activate(c51, activation);
  if (rows == MR && cols == NR) {
    v128.store(out, c00);
    v128.store(out, c01, 16);
    v128.store(out + outStride, c10);
    v128.store(out + outStride, c11, 16);
    v128.store(out + outStride * 2, c20);
    v128.store(out + outStride * 2, c21, 16);
    v128.store(out + outStride * 3, c30);
    v128.store(out + outStride * 3, c31, 16);
    v128.store(out + outStride * 4, c40);
    v128.store(out + outStride * 4, c41, 16);
    v128.store(out + outStride * 5, c50);
    v128.store(out + outStride * 5, c51, 16);
    return;
  }
  v128.store(spill, c00);
  v128.store(spill, c01, 16);
  v128.store(spill, c10, 32);
  v128.store(spill, c11, 48);
  v128.store(spill, c20, 64);
  v128.store(spill, c21, 80);
  v128.store(spill, c30, 96);
  v128.store(spill, c31, 112);
  v128.store(spill, c40, 128);
  v128.store(spill, c41, 144);
  v128.store(spill, c50, 160);
  v128.store(spill, c51, 176);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(out + outStride * r + <usize>j * 4, load<f32>(spill + <usize>(r * NR + j) * 4));
    }
  }
}

