// Gradients of elementwise ops on tfjs-backend-wasm's heap (see conv.ts), four values a vector: each one
// pass where tfjs-core's gradient composes two or three ops, with the same roundings.

/**
 * out = dy * step(x), ReLU's gradient as tfjs-core forms it from Step, Cast and Multiply: step(x) is 1
 * where x > 0, NaN where x is NaN, else 0 (so dy = Infinity or NaN still gives NaN where x <= 0, and a
 * negative dy gives -0, as the product does).
 */
export function reluGradient(dy: usize, x: usize, out: usize, count: i32): void {
  const bytes = <usize>count * 4;
  const vectorBytes = bytes & ~15;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) {
    const v = v128.load(x + o);
    const step = v128.bitselect(one, v128.bitselect(v, zero, f32x4.ne(v, v)), f32x4.gt(v, zero));
    v128.store(out + o, f32x4.mul(v128.load(dy + o), step));
  }
  for (; o < bytes; o += 4) {
    const v = load<f32>(x + o);
    const step: f32 = v > 0 ? 1 : v != v ? v : 0;
    store<f32>(out + o, load<f32>(dy + o) * step);
  }
}

/** out = dy * (x * 2), Square's gradient as tfjs-core forms it from two products. */
export function squareGradient(dy: usize, x: usize, out: usize, count: i32): void {
  const bytes = <usize>count * 4;
  const vectorBytes = bytes & ~15;
  const two = f32x4.splat(2);
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) {
    v128.store(out + o, f32x4.mul(v128.load(dy + o), f32x4.mul(v128.load(x + o), two)));
  }
  for (; o < bytes; o += 4) store<f32>(out + o, load<f32>(dy + o) * (load<f32>(x + o) * 2));
}
