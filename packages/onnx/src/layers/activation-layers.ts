import { applyActivation, scalar } from '../activations.js';
import { OnnxError } from '../errors.js';
import type { GraphValue } from '../graph-builder.js';
import { onnxAxis } from '../layout.js';
import { type ConvertContext, describeLayer, onlyInput } from './context.js';

/** Activation('relu'), Activation('softmax'), …: the activation by its tfjs name. */
export function convertActivation(context: ConvertContext): GraphValue {
  const { layer, graph, config } = context;
  return applyActivation(graph, onlyInput(context), config.activation, layer.name, describeLayer(layer));
}

/** The ReLU layer: Relu, or Clip when it has a `maxValue`. */
export function convertRelu(context: ConvertContext): GraphValue {
  const { layer, graph, config } = context;
  const input = onlyInput(context);
  const max = config.maxValue;
  const name =
    max === undefined || max === null
      ? graph.node('Relu', [input.name], layer.name)
      : graph.node(
          'Clip',
          [
            input.name,
            scalar(graph, `${layer.name}_min`, 0),
            scalar(graph, `${layer.name}_max`, Number(max)),
          ],
          layer.name,
        );
  return { name, rank: input.rank, layout: input.layout };
}

/** LeakyReLU and ELU layers, with their `alpha`. */
export function convertAlphaActivation(opType: 'LeakyRelu' | 'Elu', defaultAlpha: number) {
  return (context: ConvertContext): GraphValue => {
    const { layer, graph, config } = context;
    const input = onlyInput(context);
    const alpha = Number(config.alpha ?? defaultAlpha);
    return {
      name: graph.node(opType, [input.name], layer.name, { alpha: { float: alpha } }),
      rank: input.rank,
      layout: input.layout,
    };
  };
}

/** The Softmax layer over one axis (tfjs's default: the last). */
export function convertSoftmax(context: ConvertContext): GraphValue {
  const { layer, graph, config } = context;
  const input = onlyInput(context);
  const axis = config.axis ?? -1;
  if (typeof axis !== 'number')
    throw new OnnxError(
      `toOnnx: ${describeLayer(layer)}: axis must be one number to export, got ${JSON.stringify(axis)}`,
    );
  return {
    name: graph.node('Softmax', [input.name], layer.name, { axis: onnxAxis(input, axis) }),
    rank: input.rank,
    layout: input.layout,
  };
}
