import type { GraphValue } from '../graph-builder.js';
import { channelsFirst } from '../layout.js';
import { type ConvertContext, expectOption, onlyInput, pair } from './context.js';
import { windowPadding } from './padding.js';

function pooling(context: ConvertContext, opType: 'MaxPool' | 'AveragePool'): GraphValue {
  const { layer, graph, config } = context;
  expectOption(context, 'dataFormat', 'channelsLast');
  const input = channelsFirst(graph, onlyInput(context), layer.name);
  const kernel = pair(config.poolSize ?? 2);
  // Keras: strides default to the pool size.
  const strides = pair(config.strides ?? kernel);
  const name = graph.node(opType, [input.name], layer.name, {
    kernel_shape: kernel,
    strides,
    ...windowPadding(context, kernel, strides),
    // TensorFlow averages over the pixels inside the image only.
    ...(opType === 'AveragePool' && { count_include_pad: 0 }),
  });
  return { name, rank: 4, layout: 'nchw' };
}

export const convertMaxPooling2d = (context: ConvertContext) => pooling(context, 'MaxPool');
export const convertAveragePooling2d = (context: ConvertContext) => pooling(context, 'AveragePool');

function globalPooling(context: ConvertContext, opType: 'GlobalAveragePool' | 'GlobalMaxPool'): GraphValue {
  const { layer, graph } = context;
  expectOption(context, 'dataFormat', 'channelsLast');
  const input = channelsFirst(graph, onlyInput(context), layer.name);
  const pooled = graph.node(opType, [input.name], `${layer.name}_pool`);
  // [N, C, 1, 1] → [N, C], tfjs's output.
  return { name: graph.node('Flatten', [pooled], layer.name, { axis: 1 }), rank: 2, layout: 'keras' };
}

export const convertGlobalAveragePooling2d = (context: ConvertContext) =>
  globalPooling(context, 'GlobalAveragePool');
export const convertGlobalMaxPooling2d = (context: ConvertContext) => globalPooling(context, 'GlobalMaxPool');
