import { OnnxError } from './errors.js';
import type { GraphBuilder, GraphValue } from './graph-builder.js';
import { onnxAxis } from './layout.js';

/**
 * The tfjs activations (by their serialized names, `tfjs-layers/src/activations.ts`) written as ONNX
 * nodes. Each keeps its input's layout: all are elementwise but softmax, whose axis is mapped.
 */
const ACTIVATIONS: Readonly<Record<string, (graph: GraphBuilder, x: GraphValue, base: string) => string>> = {
  relu: (g, x, base) => g.node('Relu', [x.name], base),
  relu6: (g, x, base) =>
    g.node('Clip', [x.name, scalar(g, `${base}_min`, 0), scalar(g, `${base}_max`, 6)], base),
  elu: (g, x, base) => g.node('Elu', [x.name], base, { alpha: { float: 1 } }),
  // ONNX's defaults are SELU's constants, as tfjs's are.
  selu: (g, x, base) => g.node('Selu', [x.name], base),
  sigmoid: (g, x, base) => g.node('Sigmoid', [x.name], base),
  hardSigmoid: (g, x, base) =>
    g.node('HardSigmoid', [x.name], base, { alpha: { float: 0.2 }, beta: { float: 0.5 } }),
  tanh: (g, x, base) => g.node('Tanh', [x.name], base),
  softplus: (g, x, base) => g.node('Softplus', [x.name], base),
  softsign: (g, x, base) => g.node('Softsign', [x.name], base),
  softmax: (g, x, base) => g.node('Softmax', [x.name], base, { axis: onnxAxis(x, -1) }),
  logSoftmax: (g, x, base) => g.node('LogSoftmax', [x.name], base, { axis: onnxAxis(x, -1) }),
  // tfjs's swish is x * sigmoid(x) (SiLU).
  swish: (g, x, base) => g.node('Mul', [x.name, g.node('Sigmoid', [x.name], `${base}_sigmoid`)], base),
  mish: (g, x, base) => {
    const softplus = g.node('Softplus', [x.name], `${base}_softplus`);
    return g.node('Mul', [x.name, g.node('Tanh', [softplus], `${base}_tanh`)], base);
  },
};

/** A float scalar constant. */
export function scalar(graph: GraphBuilder, base: string, value: number): string {
  return graph.initializer(base, [], Float32Array.of(value));
}

/** The activation tfjs serializes as `name` applied to `x`; `linear` adds nothing. */
export function applyActivation(
  graph: GraphBuilder,
  x: GraphValue,
  name: unknown,
  base: string,
  where: string,
): GraphValue {
  if (name === undefined || name === null || name === 'linear') return x;
  const write = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (!write)
    throw new OnnxError(
      `toOnnx: ${where}: activation '${String(name)}' has no ONNX conversion (supported: linear, ${Object.keys(ACTIVATIONS).join(', ')})`,
    );
  return { name: write(graph, x, `${base}_${name}`), rank: x.rank, layout: x.layout };
}
