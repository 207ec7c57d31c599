import { applyActivation } from '../activations.js';
import type { GraphValue } from '../graph-builder.js';
import { kerasOrder } from '../layout.js';
import { type ConvertContext, describeLayer, layerWeights, onlyInput, requireWeight } from './context.js';

/**
 * Dense: Gemm on a batch of vectors (with a bias, zeros when the layer has none, so a BatchNormalization
 * can fold into it); on higher ranks, MatMul over the last tfjs axis, as tfjs does, then Add.
 */
export function convertDense(context: ConvertContext): GraphValue {
  const { layer, graph, config } = context;
  const input = kerasOrder(graph, onlyInput(context), layer.name);
  const weights = layerWeights(layer);
  const kernel = requireWeight(weights, 'kernel', layer);
  const units = kernel.shape[1]!;
  const weight = graph.initializer(`${layer.name}_kernel`, kernel.shape, kernel.data);
  const bias = graph.initializer(
    `${layer.name}_bias`,
    [units],
    weights.get('bias')?.data ?? new Float32Array(units),
  );
  let dense: GraphValue;
  if (input.rank === 2) {
    const name = graph.node('Gemm', [input.name, weight, bias], layer.name);
    dense = { name, rank: 2, layout: 'keras', affine: { weight, bias, channelAxis: 1 } };
  } else {
    const product = graph.node('MatMul', [input.name, weight], `${layer.name}_matmul`);
    dense = { name: graph.node('Add', [product, bias], layer.name), rank: input.rank, layout: 'keras' };
  }
  return applyActivation(graph, dense, config.activation, layer.name, describeLayer(layer));
}
