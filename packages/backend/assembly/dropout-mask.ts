// Dropout masks on tfjs-backend-wasm's heap (see conv.ts), from @fmnist/random's generator.

/**
 * out[i] = kept where u[i] < keep, else 0, for `count` floats, with u the stream of @fmnist/random's
 * `fillUniform(u, seed)` (mulberry32, each number rounded to float32): the same mask, value for value,
 * as its JavaScript loop makes.
 */
export function dropoutMask(out: usize, count: i32, seed: u32, keep: f32, kept: f32): void {
  let state = seed;
  for (let i = 0; i < count; i++) {
    state += 0x6d2b79f5;
    let t = (state ^ (state >>> 15)) * (state | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    const u = <f32>(<f64>(t ^ (t >>> 14)) / 4294967296.0);
    store<f32>(out + (<usize>i << 2), u < keep ? kept : 0);
  }
}
