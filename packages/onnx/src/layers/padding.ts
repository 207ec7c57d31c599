import { OnnxError } from '../errors.js';
import type { AttributeValue } from '../onnx-proto.js';
import { type ConvertContext, describeLayer } from './context.js';

/**
 * ONNX `pads` for tfjs's padding of a 2-D window: 'valid' pads nothing; 'same' pads so the output is
 * ceil(input / stride), the odd pixel at the end (TensorFlow's rule, ONNX's SAME_UPPER), computed from
 * the layer's known input size, or left to `auto_pad` when that size is unknown.
 */
export function windowPadding(
  context: ConvertContext,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): Record<string, AttributeValue> {
  const padding = context.config.padding ?? 'valid';
  if (padding === 'valid') return { pads: [0, 0, 0, 0] };
  if (padding !== 'same')
    throw new OnnxError(
      `toOnnx: ${describeLayer(context.layer)}: padding must be 'same' or 'valid', got ${JSON.stringify(padding)}`,
    );
  const shape = context.inputShapes[0] ?? [];
  const size = [shape[1], shape[2]];
  if (size.some((s) => typeof s !== 'number')) return { auto_pad: 'SAME_UPPER' };
  const begin: number[] = [];
  const end: number[] = [];
  for (const axis of [0, 1] as const) {
    const input = size[axis] as number;
    const out = Math.ceil(input / strides[axis]);
    const total = Math.max((out - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - input, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return { pads: [...begin, ...end] };
}
