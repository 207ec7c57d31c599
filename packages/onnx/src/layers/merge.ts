import { OnnxError } from '../errors.js';
import type { GraphValue } from '../graph-builder.js';
import { channelsFirst, kerasOrder, onnxAxis } from '../layout.js';
import { type ConvertContext, describeLayer } from './context.js';

/** The inputs in one layout: channels first when they are images, so no Transpose is needed between convs. */
function sameLayout(context: ConvertContext): GraphValue[] {
  const { inputs, graph, layer } = context;
  if (inputs.length < 2)
    throw new OnnxError(`toOnnx: ${describeLayer(layer)} needs two or more inputs, got ${inputs.length}`);
  const images = inputs.every((v) => v.rank === 4);
  return inputs.map((v) => (images ? channelsFirst(graph, v, layer.name) : kerasOrder(graph, v, layer.name)));
}

/** Add and Multiply: a chain of binary ONNX nodes. */
export function convertElementwise(opType: 'Add' | 'Mul') {
  return (context: ConvertContext): GraphValue => {
    const { graph, layer } = context;
    const [first, ...rest] = sameLayout(context);
    let name = first!.name;
    rest.forEach((v, i) => {
      name = graph.node(opType, [name, v.name], i === rest.length - 1 ? layer.name : `${layer.name}_${i}`);
    });
    return { name, rank: first!.rank, layout: first!.layout };
  };
}

/** Concatenate along tfjs's axis (default the last: channels). */
export function convertConcatenate(context: ConvertContext): GraphValue {
  const { graph, layer, config } = context;
  const inputs = sameLayout(context);
  const first = inputs[0]!;
  const axis = onnxAxis(first, Number(config.axis ?? -1));
  const name = graph.node(
    'Concat',
    inputs.map((v) => v.name),
    layer.name,
    { axis },
  );
  return { name, rank: first.rank, layout: first.layout };
}
