import * as tf from '@tensorflow/tfjs-core';
import { ClassifierError } from './errors.js';

export type QuantizationDtype = 'uint8' | 'float16';

/**
 * Quantizes the float32 weights of saved model artifacts (what `model.save` hands a save handler) to
 * `uint8` (per-tensor affine, with zero exactly representable: a quarter of the bytes) or `float16` (half),
 * in the tfjs weights format: `tf.loadLayersModel` and `tf.loadGraphModel` dequantize on load, so the
 * result loads anywhere tfjs does. Weights of other dtypes, or already quantized, are kept as they are.
 */
export function quantizeArtifacts(
  artifacts: tf.io.ModelArtifacts,
  dtype: QuantizationDtype,
): tf.io.ModelArtifacts {
  if (dtype !== 'uint8' && dtype !== 'float16')
    throw new ClassifierError(
      `quantizeArtifacts: dtype must be 'uint8' or 'float16', got '${String(dtype)}'`,
    );
  const specs = artifacts.weightSpecs;
  if (!specs || artifacts.weightData === undefined)
    throw new ClassifierError(
      'quantizeArtifacts: the artifacts have no weights (weightSpecs and weightData)',
    );
  const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const parts: ArrayBuffer[] = [];
  const outSpecs: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const length = byteLength(spec);
    const raw = bytes.slice(offset, offset + length).buffer;
    offset += length;
    if (spec.dtype !== 'float32' || spec.quantization) {
      parts.push(raw);
      outSpecs.push(spec);
      continue;
    }
    const values = new Float32Array(raw);
    if (dtype === 'float16') {
      parts.push(toFloat16(values).buffer as ArrayBuffer);
      outSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      const { codes, min, scale } = toUint8(values);
      parts.push(codes.buffer as ArrayBuffer);
      outSpecs.push({ ...spec, quantization: { dtype: 'uint8', min, scale } });
    }
  }
  if (offset !== bytes.length)
    throw new ClassifierError(
      `quantizeArtifacts: the weight specs describe ${offset} bytes but the weight data has ${bytes.length}`,
    );
  return { ...artifacts, weightSpecs: outSpecs, weightData: tf.io.CompositeArrayBuffer.join(parts) };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function byteLength(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const per = BYTES[spec.quantization?.dtype ?? spec.dtype];
  if (per === undefined)
    throw new ClassifierError(`quantizeArtifacts: weight ${spec.name} has unsupported dtype ${spec.dtype}`);
  return count * per;
}

/** value ≈ code * scale + min, with min nudged so that 0 is a code (zeros stay exactly zero). */
function toUint8(values: Float32Array): { codes: Uint8Array; min: number; scale: number } {
  let min = 0;
  let max = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new ClassifierError(`quantizeArtifacts: cannot quantize ${v} to uint8`);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const scale = (max - min) / 255 || 1;
  min = -Math.round(-min / scale) * scale;
  const codes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++)
    codes[i] = Math.min(255, Math.max(0, Math.round((values[i]! - min) / scale)));
  return { codes, min, scale };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision, round to nearest even; overflow gives ±Infinity, as a cast in C would. */
export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
      continue;
    }
    const e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    let half: number;
    let remainder: number;
    let halfway: number;
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - e;
      half = mantissa >>> shift;
      remainder = mantissa & ((1 << shift) - 1);
      halfway = 1 << (shift - 1);
    } else {
      half = (e << 10) | (mantissa >>> 13);
      remainder = mantissa & 0x1fff;
      halfway = 0x1000;
    }
    // A carry out of the mantissa correctly moves to the next exponent (or to infinity).
    if (remainder > halfway || (remainder === halfway && half & 1)) half++;
    out[i] = sign | half;
  }
  return out;
}
