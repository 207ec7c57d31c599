import { scalar } from '../activations.js';
import type { GraphValue } from '../graph-builder.js';
import { kerasOrder } from '../layout.js';
import { type ConvertContext, expectOption, onlyInput } from './context.js';

/**
 * Flatten in tfjs's order (height, width, channels): an NCHW value is transposed back first, so whatever
 * reads the vector (a Dense's rows) sees tfjs's order.
 */
export function convertFlatten(context: ConvertContext): GraphValue {
  const { layer, graph } = context;
  expectOption(context, 'dataFormat', 'channelsLast');
  const input = kerasOrder(graph, onlyInput(context), layer.name);
  return { name: graph.node('Flatten', [input.name], layer.name, { axis: 1 }), rank: 2, layout: 'keras' };
}

/** Layers that pass their input through at inference (dropout, noise, augmentation). */
export function convertIdentity(context: ConvertContext): GraphValue {
  const input = onlyInput(context);
  // A BatchNorm after this layer may fold into the layer before only if nothing else reads its output.
  return context.inputReaders[0] === 1 ? input : { name: input.name, rank: input.rank, layout: input.layout };
}

/** Rescaling: x * scale + offset, elementwise, so the layout stays. */
export function convertRescaling(context: ConvertContext): GraphValue {
  const { layer, graph, config } = context;
  const input = onlyInput(context);
  const scaled = graph.node(
    'Mul',
    [input.name, scalar(graph, `${layer.name}_scale`, Number(config.scale))],
    `${layer.name}_mul`,
  );
  const offset = scalar(graph, `${layer.name}_offset`, Number(config.offset ?? 0));
  return { name: graph.node('Add', [scaled, offset], layer.name), rank: input.rank, layout: input.layout };
}
