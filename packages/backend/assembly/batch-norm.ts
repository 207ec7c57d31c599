// Batch normalization over the last axis of an NHWC tensor, on tfjs-backend-wasm's heap (see conv.ts).

/**
 * out[p, c] = x[p, c] * k[c] + b[c] with k = scale / sqrt(variance + eps) and b = offset - mean * k,
 * for `pixels` rows of `channels`. `mean` and `variance` are per-channel; `offset` and `scale` may be
 * 0 (absent: 0 and 1). Scratch `factors`: 2 * channels floats, 16-byte aligned.
 */
export function batchNormForward(
  x: usize,
  out: usize,
  pixels: i32,
  channels: i32,
  mean: usize,
  variance: usize,
  offset: usize,
  scale: usize,
  epsilon: f32,
  factors: usize,
): void {
  const k = factors;
  const b = factors + <usize>channels * 4;
  for (let c = 0; c < channels; c++) {
    const at = <usize>c * 4;
    const factor = (scale != 0 ? load<f32>(scale + at) : 1) / Mathf.sqrt(load<f32>(variance + at) + epsilon);
    store<f32>(k + at, factor);
    store<f32>(b + at, (offset != 0 ? load<f32>(offset + at) : 0) - load<f32>(mean + at) * factor);
  }
  const rowBytes = <usize>channels * 4;
  const vectorBytes = rowBytes & ~15;
  let from = x;
  let to = out;
  for (let p = 0; p < pixels; p++) {
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) {
      v128.store(to + o, f32x4.add(f32x4.mul(v128.load(from + o), v128.load(k + o)), v128.load(b + o)));
    }
    for (; o < rowBytes; o += 4) store<f32>(to + o, load<f32>(from + o) * load<f32>(k + o) + load<f32>(b + o));
    from += rowBytes;
    to += rowBytes;
  }
}

/**
 * The activation-sized part of FusedBatchNorm's gradient in one pass: dx[p, c] = dy[p, c] * factor[c],
 * sums[c] = Σp dy[p, c] and sums[channels + c] = Σp dy[p, c] * (x[p, c] - mean[c]). `sums`: 2 * channels
 * floats, overwritten.
 */
export function batchNormGradient(
  x: usize,
  dy: usize,
  mean: usize,
  factor: usize,
  pixels: i32,
  channels: i32,
  dx: usize,
  sums: usize,
): void {
  const rowBytes = <usize>channels * 4;
  const vectorBytes = rowBytes & ~15;
  const sumDy = sums;
  const sumDyXc = sums + rowBytes;
  memory.fill(sums, 0, rowBytes * 2);
  let xp = x;
  let gp = dy;
  let out = dx;
  for (let p = 0; p < pixels; p++) {
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) {
      const g = v128.load(gp + o);
      const centered = f32x4.sub(v128.load(xp + o), v128.load(mean + o));
      v128.store(out + o, f32x4.mul(g, v128.load(factor + o)));
      v128.store(sumDy + o, f32x4.add(v128.load(sumDy + o), g));
      v128.store(sumDyXc + o, f32x4.add(v128.load(sumDyXc + o), f32x4.mul(g, centered)));
    }
    for (; o < rowBytes; o += 4) {
      const g = load<f32>(gp + o);
      store<f32>(out + o, g * load<f32>(factor + o));
      store<f32>(sumDy + o, load<f32>(sumDy + o) + g);
      store<f32>(sumDyXc + o, load<f32>(sumDyXc + o) + g * (load<f32>(xp + o) - load<f32>(mean + o)));
    }
    xp += rowBytes;
    gp += rowBytes;
    out += rowBytes;
  }
}
