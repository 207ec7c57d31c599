// Dropout masks on tfjs-backend-wasm's heap (see conv.ts), from @fmnist/random's generator.

const INCREMENT: u32 = 0x6d2b79f5;

/** mulberry32's 32-bit output for a state (@fmnist/random's `output`, before scaling to [0, 1)). */
// @ts-ignore: decorator
@inline
function mix(state: u32): u32 {
  let t = (state ^ (state >>> 15)) * (state | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return t ^ (t >>> 14);
}

/** `mix` on four states at once. */
// @ts-ignore: decorator
@inline
function mix4(state: v128): v128 {
  let t = i32x4.mul(v128.xor(state, i32x4.shr_u(state, 15)), v128.or(state, i32x4.splat(1)));
  t = v128.xor(t, i32x4.add(t, i32x4.mul(v128.xor(t, i32x4.shr_u(t, 7)), v128.or(t, i32x4.splat(61)))));
  return v128.xor(t, i32x4.shr_u(t, 14));
}

/**
 * out[i] = kept where u[i] < keep, else 0, for `count` floats, with u the stream of @fmnist/random's
 * `fillUniform(u, seed)` (mulberry32, each number rounded to float32): the same mask, value for value,
 * as its JavaScript loop makes. The caller passes `threshold`, the least 32-bit output whose float32
 * number is at least keep, so the comparison stays in integers (rounding is monotonic).
 */
export function dropoutMask(out: usize, count: i32, seed: u32, threshold: u32, kept: f32): void {
  const keptBits = i32x4.splat(reinterpret<i32>(kept));
  const limit = i32x4.splat(<i32>threshold);
  let states = i32x4(
    <i32>(seed + INCREMENT),
    <i32>(seed + INCREMENT * 2),
    <i32>(seed + INCREMENT * 3),
    <i32>(seed + INCREMENT * 4),
  );
  const step = i32x4.splat(<i32>(INCREMENT * 4));
  const vectorEnd = count & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    v128.store(out + (<usize>i << 2), v128.and(i32x4.lt_u(mix4(states), limit), keptBits));
    states = i32x4.add(states, step);
  }
  let state = seed + INCREMENT * <u32>i;
  for (; i < count; i++) {
    state += INCREMENT;
    store<f32>(out + (<usize>i << 2), mix(state) < threshold ? kept : 0);
  }
}
