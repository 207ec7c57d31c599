// The filter transform U = G g G^T of winograd.ts's F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 5x5), packed
// for tile.ts's micro-kernel.

import { NR, padK } from './tile';
import { loadChannels } from './winograd-transforms';

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
