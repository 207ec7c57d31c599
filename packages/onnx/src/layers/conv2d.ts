import { applyActivation } from '../activations.js';
import type { GraphValue } from '../graph-builder.js';
import { channelsFirst } from '../layout.js';
import {
  type ConvertContext,
  describeLayer,
  expectOption,
  layerWeights,
  onlyInput,
  pair,
  requireWeight,
} from './context.js';
import { windowPadding } from './padding.js';

/** tfjs's [kh, kw, in, out] kernel as ONNX Conv's [out, in, kh, kw]. */
function toOihw(kernel: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let i = 0; i < cin!; i++)
        for (let o = 0; o < cout!; o++)
          out[((o * cin! + i) * kh! + y) * kw! + x] = kernel[((y * kw! + x) * cin! + i) * cout! + o]!;
  return out;
}

/**
 * Conv2D: an ONNX Conv on the NCHW value, then its activation. Always with a bias (zeros when the layer
 * has none), so a following BatchNormalization can fold into it.
 */
export function convertConv2d(context: ConvertContext): GraphValue {
  const { layer, graph, config } = context;
  expectOption(context, 'dataFormat', 'channelsLast');
  const input = channelsFirst(graph, onlyInput(context), layer.name);
  const weights = layerWeights(layer);
  const kernel = requireWeight(weights, 'kernel', layer);
  const [kh, kw, , cout] = kernel.shape as [number, number, number, number];
  const strides = pair(config.strides ?? 1);
  const dilations = pair(config.dilationRate ?? 1);
  const weight = graph.initializer(
    `${layer.name}_kernel`,
    [cout, kernel.shape[2]!, kh, kw],
    toOihw(kernel.data, kernel.shape),
  );
  const bias = graph.initializer(
    `${layer.name}_bias`,
    [cout],
    weights.get('bias')?.data ?? new Float32Array(cout),
  );
  const name = graph.node('Conv', [input.name, weight, bias], layer.name, {
    kernel_shape: [kh, kw],
    strides,
    dilations,
    group: 1,
    ...windowPadding(context, [kh, kw], strides, dilations),
  });
  const conv: GraphValue = { name, rank: 4, layout: 'nchw', affine: { weight, bias, channelAxis: 0 } };
  const activated = applyActivation(graph, conv, config.activation, layer.name, describeLayer(layer));
  return activated;
}
