import { OnnxError } from './errors.js';

/**
 * The default ONNX opset: 13 is read by every ONNX Runtime since 1.7 (2021) and by onnx.checker since
 * onnx 1.8; the operators written here have the same meaning from 13 to 17.
 */
export const ONNX_OPSET = 13;

/**
 * The opsets `toOnnx` writes, each with the IR version of the onnx release that introduced it
 * (https://github.com/onnx/onnx/blob/main/docs/Versioning.md#released-versions). Up to 17, the newest
 * opset Debian's onnx 1.12 (the checker CI runs) knows.
 */
export const SUPPORTED_OPSETS: Readonly<Record<number, number>> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8 };

/** The IR version for `opset`, or an `OnnxError` naming the opsets supported. */
export function irVersionFor(opset: number): number {
  const ir = SUPPORTED_OPSETS[opset];
  if (ir === undefined)
    throw new OnnxError(
      `toOnnx: opset must be one of ${Object.keys(SUPPORTED_OPSETS).join(', ')}, got ${String(opset)}`,
    );
  return ir;
}
