import * as ort from 'onnxruntime-node';

/** The first output of the ONNX model `bytes` for `count` images fed as `shape` per image, in batches. */
export async function runOnnx(
  bytes: Uint8Array,
  pixels: Float32Array,
  imageShape: readonly number[],
  batchSize = 1000,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const size = imageShape.reduce((a, b) => a * b, 1);
    const count = pixels.length / size;
    const parts: Float32Array[] = [];
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const feed = new ort.Tensor('float32', pixels.subarray(start * size, (start + n) * size), [
        n,
        ...imageShape,
      ]);
      const result = await session.run({ [session.inputNames[0]!]: feed });
      parts.push(result[session.outputNames[0]!]!.data as Float32Array);
    }
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Per-row argmax agreement and the largest absolute difference of two `rows x width` outputs. */
export function agreement(
  a: Float32Array,
  b: Float32Array,
  width: number,
): { sameTop1: number; maxDiff: number } {
  let same = 0;
  let maxDiff = 0;
  const rows = a.length / width;
  for (let r = 0; r < rows; r++) {
    let ia = 0;
    let ib = 0;
    for (let c = 0; c < width; c++) {
      const i = r * width + c;
      if (a[i]! > a[r * width + ia]!) ia = c;
      if (b[i]! > b[r * width + ib]!) ib = c;
      maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    }
    if (ia === ib) same++;
  }
  return { sameTop1: same / rows, maxDiff };
}

/** NHWC images as NCHW. */
export function toNchw(pixels: Float32Array, [h, w, c]: readonly number[]): Float32Array {
  const size = h! * w! * c!;
  const out = new Float32Array(pixels.length);
  for (let n = 0; n < pixels.length / size; n++)
    for (let y = 0; y < h!; y++)
      for (let x = 0; x < w!; x++)
        for (let k = 0; k < c!; k++)
          out[n * size + (k * h! + y) * w! + x] = pixels[n * size + (y * w! + x) * c! + k]!;
  return out;
}
