// MaxPool's gradient for NHWC tensors on tfjs-backend-wasm's heap (see conv.ts), four channels a vector.

/**
 * dx = 0, then for each window in row-major output order, dx[argmax] += dy[window]: the cpu backend's
 * choice of maximum (the first in row-major window order wins ties; padding and NaN never win; a window
 * of only -Infinity/NaN passes no gradient) and its order of additions where windows overlap. The argmax
 * is kept as a window position per lane, and dy is added under a mask at every window position; adding
 * +0 elsewhere changes nothing, since dx starts at +0 and a sum of floats is -0 only if both are.
 */
export function maxPoolGrad(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  poolHeight: i32,
  poolWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const pixelBytes = <usize>channels * 4;
  const rowBytes = <usize>width * pixelBytes;
  const imageBytes = <usize>height * rowBytes;
  memory.fill(dx, 0, <usize>batch * imageBytes);
  let g = dy;
  for (let b = 0; b < batch; b++) {
    const image = <usize>b * imageBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * strideHeight - padTop;
      const y0 = max(0, top);
      const y1 = min(height, top + poolHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const left = ox * strideWidth - padLeft;
        const x0 = max(0, left);
        const x1 = min(width, left + poolWidth);
        const corner = image + <usize>y0 * rowBytes + <usize>x0 * pixelBytes;
        windowGrad(x + corner, dx + corner, g, y1 - y0, x1 - x0, rowBytes, pixelBytes);
        g += pixelBytes;
      }
    }
  }
}

/** One window of `rows` x `columns` pixels at `xs` (and `dxs`), gradient row `g`. */
@inline
function windowGrad(
  xs: usize,
  dxs: usize,
  g: usize,
  rows: i32,
  columns: i32,
  rowBytes: usize,
  pixelBytes: usize,
): void {
  const vectorBytes = pixelBytes & ~15;
  let o: usize = 0;
  for (; o < vectorBytes; o += 16) {
    let best = f32x4.splat(-Infinity);
    let at = i32x4.splat(-1);
    let k = 0;
    for (let y = 0; y < rows; y++) {
      let p = xs + <usize>y * rowBytes + o;
      for (let c = 0; c < columns; c++, k++, p += pixelBytes) {
        const v = v128.load(p);
        const better = f32x4.gt(v, best);
        best = v128.bitselect(v, best, better);
        at = v128.bitselect(i32x4.splat(k), at, better);
      }
    }
    const grad = v128.load(g + o);
    k = 0;
    for (let y = 0; y < rows; y++) {
      let p = dxs + <usize>y * rowBytes + o;
      for (let c = 0; c < columns; c++, k++, p += pixelBytes) {
        v128.store(p, f32x4.add(v128.load(p), v128.and(grad, i32x4.eq(at, i32x4.splat(k)))));
      }
    }
  }
  for (; o < pixelBytes; o += 4) {
    let best = -Infinity as f32;
    let at: usize = -1;
    for (let y = 0; y < rows; y++) {
      let p = <usize>y * rowBytes + o;
      for (let c = 0; c < columns; c++, p += pixelBytes) {
        const v = load<f32>(xs + p);
        if (v > best) {
          best = v;
          at = p;
        }
      }
    }
    if (at != -1) store<f32>(dxs + at, load<f32>(dxs + at) + load<f32>(g + o));
  }
}
