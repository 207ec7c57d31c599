// Batch normalization over the last axis of an NHWC tensor, on tfjs-backend-wasm's heap (see conv.ts).

/**
 * out[p, c] = x[p, c] * k[c] + b[c] with k = scale / sqrt(variance + eps) and b = offset - mean * k,
 * for `pixels` rows of `channels`, then max(out, 0) when `relu` is 1. `mean` and `variance` are
 * per-channel; `offset` and `scale` may be 0 (absent: 0 and 1). Scratch `factors`: 2 * channels floats,
 * 16-byte aligned.
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
  relu: i32,
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
  // Below every value without ReLU; 0 with it.
  const floor: f32 = relu != 0 ? 0 : -Infinity;
  const floors = f32x4.splat(floor);
  let from = x;
  let to = out;
  for (let p = 0; p < pixels; p++) {
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) {
      const value = f32x4.add(f32x4.mul(v128.load(from + o), v128.load(k + o)), v128.load(b + o));
      v128.store(to + o, f32x4.max(value, floors));
    }
    for (; o < rowBytes; o += 4) {
      store<f32>(to + o, max(load<f32>(from + o) * load<f32>(k + o) + load<f32>(b + o), floor));
    }
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

/** dy where y > 0 (ReLU's gradient from its output), else 0; dy itself when not `masked`. */
// @ts-ignore: decorator
@inline
function reluMasked(dy: v128, y: v128, masked: bool): v128 {
  return masked ? v128.and(dy, f32x4.gt(y, f32x4.splat(0))) : dy;
}

// Rows summed into a block's partial sums before the partials join the total: float32 rounding then grows
// with the block length plus the number of blocks, not with the number of rows (50,176 for a 64-image
// batch of 28x28 maps).
const BLOCK_ROWS: i32 = 256;

/** total[c] += partial[c] for a row of `rowBytes`. */
function addRow(total: usize, partial: usize, rowBytes: usize): void {
  const vectorBytes = rowBytes & ~15;
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) v128.store(total + o, f32x4.add(v128.load(total + o), v128.load(partial + o)));
  for (; o < rowBytes; o += 4) store<f32>(total + o, load<f32>(total + o) + load<f32>(partial + o));
}

/**
 * The batch statistics of BatchNorm in training, per channel of `pixels` rows: mean[c] = Σp x[p, c] / pixels,
 * then variance[c] = Σp (x[p, c] - mean[c])² / pixels (biased, two passes, as tf.moments computes it).
 * Scratch `partial`: `channels` floats, 16-byte aligned.
 */
export function batchNormMoments(
  x: usize,
  pixels: i32,
  channels: i32,
  mean: usize,
  variance: usize,
  partial: usize,
): void {
  const rowBytes = <usize>channels * 4;
  const vectorBytes = rowBytes & ~15;
  memory.fill(mean, 0, rowBytes);
  let row = x;
  for (let start = 0; start < pixels; start += BLOCK_ROWS) {
    const end = min(pixels, start + BLOCK_ROWS);
    memory.fill(partial, 0, rowBytes);
    for (let p = start; p < end; p++) {
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) v128.store(partial + o, f32x4.add(v128.load(partial + o), v128.load(row + o)));
      for (; o < rowBytes; o += 4) store<f32>(partial + o, load<f32>(partial + o) + load<f32>(row + o));
      row += rowBytes;
    }
    addRow(mean, partial, rowBytes);
  }
  const inverseCount = <f32>1 / <f32>pixels;
  for (let o: usize = 0; o < rowBytes; o += 4) store<f32>(mean + o, load<f32>(mean + o) * inverseCount);
  memory.fill(variance, 0, rowBytes);
  row = x;
  for (let start = 0; start < pixels; start += BLOCK_ROWS) {
    const end = min(pixels, start + BLOCK_ROWS);
    memory.fill(partial, 0, rowBytes);
    for (let p = start; p < end; p++) {
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) {
        const centered = f32x4.sub(v128.load(row + o), v128.load(mean + o));
        v128.store(partial + o, f32x4.add(v128.load(partial + o), f32x4.mul(centered, centered)));
      }
      for (; o < rowBytes; o += 4) {
        const centered = load<f32>(row + o) - load<f32>(mean + o);
        store<f32>(partial + o, load<f32>(partial + o) + centered * centered);
      }
      row += rowBytes;
    }
    addRow(variance, partial, rowBytes);
  }
  for (let o: usize = 0; o < rowBytes; o += 4) store<f32>(variance + o, load<f32>(variance + o) * inverseCount);
}

/**
 * The whole gradient of BatchNorm in training with respect to its input, the batch statistics included, in
 * two passes: first sums[c] = Σp dy[p, c] and sums[channels + c] = Σp dy[p, c]·(x[p, c] - mean[c]), then
 * dx = k·(dy - sums[c]/n - (x - mean)·inv²·sums[channels + c]/n) with inv = 1/sqrt(variance + epsilon),
 * k = scale·inv and n = `pixels` (scale 0: absent, 1). The scale's gradient is inv·sums[channels + c] and
 * the offset's sums[c]. With `y` (the output of BatchNorm then ReLU; 0: none), dy counts only where
 * y > 0: the gradient through the ReLU too. `sums`: 2 * channels floats, overwritten; scratch `factors`:
 * 3 * channels floats, 16-byte aligned.
 */
export function batchNormTrainingGradient(
  x: usize,
  dy: usize,
  y: usize,
  mean: usize,
  variance: usize,
  scale: usize,
  epsilon: f32,
  pixels: i32,
  channels: i32,
  dx: usize,
  sums: usize,
  factors: usize,
): void {
  const rowBytes = <usize>channels * 4;
  const vectorBytes = rowBytes & ~15;
  const sumDy = sums;
  const sumDyXc = sums + rowBytes;
  const partialDy = factors;
  const partialDyXc = factors + rowBytes;
  memory.fill(sums, 0, rowBytes * 2);
  // Without y nothing is masked (yp then only holds a valid address).
  const masked = y != 0;
  let xp = x;
  let gp = dy;
  let yp = masked ? y : dy;
  for (let start = 0; start < pixels; start += BLOCK_ROWS) {
    const end = min(pixels, start + BLOCK_ROWS);
    memory.fill(partialDy, 0, rowBytes * 2);
    for (let p = start; p < end; p++) {
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) {
        const g = reluMasked(v128.load(gp + o), v128.load(yp + o), masked);
        const centered = f32x4.sub(v128.load(xp + o), v128.load(mean + o));
        v128.store(partialDy + o, f32x4.add(v128.load(partialDy + o), g));
        v128.store(partialDyXc + o, f32x4.add(v128.load(partialDyXc + o), f32x4.mul(g, centered)));
      }
      for (; o < rowBytes; o += 4) {
        const g = !masked || load<f32>(yp + o) > 0 ? load<f32>(gp + o) : 0;
        store<f32>(partialDy + o, load<f32>(partialDy + o) + g);
        store<f32>(partialDyXc + o, load<f32>(partialDyXc + o) + g * (load<f32>(xp + o) - load<f32>(mean + o)));
      }
      xp += rowBytes;
      gp += rowBytes;
      yp += rowBytes;
    }
    addRow(sumDy, partialDy, rowBytes);
    addRow(sumDyXc, partialDyXc, rowBytes);
  }
  // dx = k·dy + slope·(x - mean) + shift per channel, with slope = -k·inv²·Σdy(x - mean)/n and
  // shift = -k·Σdy/n; the scratch is free again after the sums.
  const k = factors;
  const slope = factors + rowBytes;
  const shift = factors + rowBytes * 2;
  const inverseCount = <f32>1 / <f32>pixels;
  for (let c = 0; c < channels; c++) {
    const at = <usize>c * 4;
    const inv = <f32>1 / Mathf.sqrt(load<f32>(variance + at) + epsilon);
    const factor = (scale != 0 ? load<f32>(scale + at) : 1) * inv;
    const s = -factor * inv * inv * load<f32>(sumDyXc + at) * inverseCount;
    store<f32>(k + at, factor);
    store<f32>(slope + at, s);
    store<f32>(shift + at, -factor * load<f32>(sumDy + at) * inverseCount);
  }
  xp = x;
  gp = dy;
  yp = masked ? y : dy;
  let out = dx;
  for (let p = 0; p < pixels; p++) {
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) {
      const centered = f32x4.sub(v128.load(xp + o), v128.load(mean + o));
      const g = reluMasked(v128.load(gp + o), v128.load(yp + o), masked);
      const value = f32x4.add(
        f32x4.add(f32x4.mul(g, v128.load(k + o)), f32x4.mul(centered, v128.load(slope + o))),
        v128.load(shift + o),
      );
      v128.store(out + o, value);
    }
    for (; o < rowBytes; o += 4) {
      const g = !masked || load<f32>(yp + o) > 0 ? load<f32>(gp + o) : 0;
      store<f32>(
        out + o,
        g * load<f32>(k + o) +
          (load<f32>(xp + o) - load<f32>(mean + o)) * load<f32>(slope + o) +
          load<f32>(shift + o),
      );
    }
    xp += rowBytes;
    gp += rowBytes;
    yp += rowBytes;
    out += rowBytes;
  }
}
