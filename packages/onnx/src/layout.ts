import type { GraphBuilder, GraphValue } from './graph-builder.js';

/** NHWC → NCHW, for an image entering Conv and pooling. */
export const TO_NCHW = [0, 3, 1, 2] as const;
/** NCHW → NHWC, for layers that read tfjs's order (Flatten, Dense on images, graph outputs). */
export const TO_NHWC = [0, 2, 3, 1] as const;

/** `value` in NCHW order, transposing a tfjs-ordered rank-4 value. */
export function channelsFirst(graph: GraphBuilder, value: GraphValue, base: string): GraphValue {
  if (value.layout === 'nchw' || value.rank !== 4) return value;
  const name = graph.node('Transpose', [value.name], `${base}_to_nchw`, { perm: [...TO_NCHW] });
  return { name, rank: 4, layout: 'nchw' };
}

/** `value` in tfjs's own axis order, transposing an NCHW value back. */
export function kerasOrder(graph: GraphBuilder, value: GraphValue, base: string): GraphValue {
  if (value.layout === 'keras') return value;
  const name = graph.node('Transpose', [value.name], `${base}_to_nhwc`, { perm: [...TO_NHWC] });
  return { name, rank: value.rank, layout: 'keras' };
}

/** The ONNX axis of tfjs axis `axis` (negative counts from the end) of `value`. */
export function onnxAxis(value: GraphValue, axis: number): number {
  const positive = axis < 0 ? axis + value.rank : axis;
  return value.layout === 'nchw' ? TO_NCHW.indexOf(positive as 0 | 1 | 2 | 3) : positive;
}
