// One AdamW step for one variable on tfjs-backend-wasm's heap (see conv.ts): the optimizer's dozen
// element-wise kernels per variable in one pass.

/**
 * For `count` floats: m' = m·beta1 + g·oneMinusBeta1, v' = v·beta2 + g²·oneMinusBeta2, s = max(vMax, v')
 * (vMax' = s) when `vMax` is not 0 else v', value' = value·decay − m' / (√s + epsilon) · stepSize; each
 * operation in float32 in that order, as the same steps in tfjs ops compute them.
 */
export function adamWUpdate(
  value: usize,
  gradient: usize,
  m: usize,
  v: usize,
  vMax: usize,
  outValue: usize,
  outM: usize,
  outV: usize,
  outVMax: usize,
  count: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  epsilon: f32,
  stepSize: f32,
  decay: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const eps = f32x4.splat(epsilon);
  const step = f32x4.splat(stepSize);
  const shrink = f32x4.splat(decay);
  const vectorEnd = count & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const at = <usize>i << 2;
    const g = v128.load(gradient + at);
    const mNew = f32x4.add(f32x4.mul(v128.load(m + at), b1), f32x4.mul(g, c1));
    const vNew = f32x4.add(f32x4.mul(v128.load(v + at), b2), f32x4.mul(f32x4.mul(g, g), c2));
    let second = vNew;
    if (vMax != 0) {
      second = f32x4.max(v128.load(vMax + at), vNew);
      v128.store(outVMax + at, second);
    }
    const ratio = f32x4.div(mNew, f32x4.add(f32x4.sqrt(second), eps));
    v128.store(outValue + at, f32x4.sub(f32x4.mul(v128.load(value + at), shrink), f32x4.mul(ratio, step)));
    v128.store(outM + at, mNew);
    v128.store(outV + at, vNew);
  }
  for (; i < count; i++) {
    const at = <usize>i << 2;
    const g = load<f32>(gradient + at);
    const mNew = load<f32>(m + at) * beta1 + g * oneMinusBeta1;
    const vNew = load<f32>(v + at) * beta2 + g * g * oneMinusBeta2;
    let second = vNew;
    if (vMax != 0) {
      second = max(load<f32>(vMax + at), vNew);
      store<f32>(outVMax + at, second);
    }
    const ratio = mNew / (sqrt<f32>(second) + epsilon);
    store<f32>(outValue + at, load<f32>(value + at) * decay - ratio * stepSize);
    store<f32>(outM + at, mNew);
    store<f32>(outV + at, vNew);
  }
}
