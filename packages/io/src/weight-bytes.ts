import type { io } from '@tensorflow/tfjs-core';
import { IoError } from './errors.js';

// Bytes per stored value, as tfjs-core's DTYPE_VALUE_SIZE_MAP (io/types.ts), which `io` does not export.
const BYTES_PER_VALUE: Record<string, number> = {
  float32: 4,
  float16: 2,
  int32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
  complex64: 8,
};

/**
 * The bytes a weights manifest group's files hold together: a quantized weight is stored in its
 * quantization dtype. `undefined` when the size cannot be told without reading the data (string weights).
 */
export function weightBytes(specs: readonly io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const perValue = BYTES_PER_VALUE[spec.quantization?.dtype ?? spec.dtype];
    if (perValue === undefined) return undefined;
    total += perValue * spec.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/**
 * Refuses a weights group whose `files` hold `found` bytes where its weights need another count: tfjs
 * would otherwise fail with a bare RangeError (short) or load the wrong numbers silently (long).
 */
export function checkWeightGroupBytes(
  weights: readonly io.WeightsManifestEntry[],
  files: readonly string[],
  found: number,
  modelPath: string,
): void {
  const expected = weightBytes(weights);
  if (expected !== undefined && found !== expected)
    throw new IoError(
      `${files.join(', ')}: the weights manifest in ${modelPath} needs ${expected} bytes${files.length > 1 ? ' together' : ''}, found ${found}`,
    );
}
