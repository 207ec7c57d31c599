import { OnnxError } from '../errors.js';
import type { GraphBuilder, GraphValue } from '../graph-builder.js';
import { channelsFirst } from '../layout.js';
import { type ConvertContext, describeLayer, layerWeights, onlyInput, requireWeight } from './context.js';

/** The per-channel multiplier and shift BatchNormalization applies at inference. */
function affineForm(context: ConvertContext): { scale: Float64Array; shift: Float64Array } {
  const { layer, config } = context;
  const weights = layerWeights(layer);
  const mean = requireWeight(weights, 'moving_mean', layer).data;
  const variance = requireWeight(weights, 'moving_variance', layer).data;
  const gamma = weights.get('gamma')?.data;
  const beta = weights.get('beta')?.data;
  const epsilon = Number(config.epsilon ?? 1e-3);
  const scale = new Float64Array(mean.length);
  const shift = new Float64Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    scale[c] = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + epsilon);
    shift[c] = (beta?.[c] ?? 0) - mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/** Multiplies the output channels of a Conv/Gemm's weight and bias by `scale` and adds `shift`. */
function foldInto(
  graph: GraphBuilder,
  affine: NonNullable<GraphValue['affine']>,
  form: ReturnType<typeof affineForm>,
): void {
  const weight = graph.initializerData(affine.weight);
  const bias = graph.initializerData(affine.bias);
  const channels = bias.length;
  // Conv's [out, in, kh, kw] has its channels outermost; Gemm's [in, out] innermost.
  const inner = affine.channelAxis === 0 ? weight.length / channels : 1;
  for (let i = 0; i < weight.length; i++) {
    const c = affine.channelAxis === 0 ? Math.floor(i / inner) : i % channels;
    weight[i] = weight[i]! * form.scale[c]!;
  }
  for (let c = 0; c < channels; c++) bias[c] = bias[c]! * form.scale[c]! + form.shift[c]!;
}

/**
 * BatchNormalization in its inference form. With `foldBatchNorm`, folded into the Conv or Dense before it
 * when nothing else reads that layer's output (no node at all); otherwise ONNX BatchNormalization on
 * channels-first values, or a Mul and Add over the last axis.
 */
export function convertBatchNormalization(context: ConvertContext): GraphValue {
  const { layer, graph, config } = context;
  const source = onlyInput(context);
  const axis = Number(config.axis ?? -1);
  if (axis !== -1 && axis !== source.rank - 1)
    throw new OnnxError(`toOnnx: ${describeLayer(layer)}: axis must be the last (-1) to export, got ${axis}`);
  const form = affineForm(context);
  if (context.foldBatchNorm && source.affine && context.inputReaders[0] === 1) {
    foldInto(graph, source.affine, form);
    // Still an affine output: a second BatchNorm would fold into the same weights.
    return source;
  }
  const input = source.rank === 4 ? channelsFirst(graph, source, layer.name) : source;
  const channels = form.scale.length;
  if (input.rank === 2 || input.layout === 'nchw') {
    const weights = layerWeights(layer);
    const ones = new Float32Array(channels).fill(1);
    const inputs = [
      input.name,
      graph.initializer(`${layer.name}_gamma`, [channels], weights.get('gamma')?.data ?? ones),
      graph.initializer(
        `${layer.name}_beta`,
        [channels],
        weights.get('beta')?.data ?? new Float32Array(channels),
      ),
      graph.initializer(`${layer.name}_mean`, [channels], requireWeight(weights, 'moving_mean', layer).data),
      graph.initializer(
        `${layer.name}_variance`,
        [channels],
        requireWeight(weights, 'moving_variance', layer).data,
      ),
    ];
    const name = graph.node('BatchNormalization', inputs, layer.name, {
      epsilon: { float: Number(config.epsilon ?? 1e-3) },
    });
    return { name, rank: input.rank, layout: input.layout };
  }
  const scaled = graph.node(
    'Mul',
    [input.name, graph.initializer(`${layer.name}_scale`, [channels], Float32Array.from(form.scale))],
    `${layer.name}_mul`,
  );
  const shift = graph.initializer(`${layer.name}_shift`, [channels], Float32Array.from(form.shift));
  return { name: graph.node('Add', [scaled, shift], layer.name), rank: input.rank, layout: input.layout };
}
