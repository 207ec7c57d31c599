/**
 * Resizes `channels`-interleaved pixels from `w`x`h` to `ow`x`oh`: area average when shrinking, bilinear
 * when growing.
 */
export function resize(
  src: Float32Array,
  w: number,
  h: number,
  channels: number,
  ow: number,
  oh: number,
): Float32Array {
  if (w === ow && h === oh) return src.slice();
  const out = new Float32Array(ow * oh * channels);
  const sx = w / ow;
  const sy = h / oh;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const to = (y * ow + x) * channels;
      if (sx >= 1 && sy >= 1) {
        const x0 = x * sx;
        const x1 = x0 + sx;
        const y0 = y * sy;
        const y1 = y0 + sy;
        let area = 0;
        for (let yy = Math.floor(y0); yy < Math.ceil(y1); yy++) {
          const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
          for (let xx = Math.floor(x0); xx < Math.ceil(x1); xx++) {
            const wx = Math.min(xx + 1, x1) - Math.max(xx, x0);
            const from = (yy * w + xx) * channels;
            for (let c = 0; c < channels; c++) out[to + c]! += src[from + c]! * wx * wy;
            area += wx * wy;
          }
        }
        for (let c = 0; c < channels; c++) out[to + c]! /= area;
      } else {
        const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
        const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const x1 = Math.min(x0 + 1, w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const ax = fx - x0;
        const ay = fy - y0;
        for (let c = 0; c < channels; c++) {
          const at = (xx: number, yy: number) => src[(yy * w + xx) * channels + c]!;
          const top = at(x0, y0) * (1 - ax) + at(x1, y0) * ax;
          const bottom = at(x0, y1) * (1 - ax) + at(x1, y1) * ax;
          out[to + c] = top * (1 - ay) + bottom * ay;
        }
      }
    }
  }
  return out;
}
