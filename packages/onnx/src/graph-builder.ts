import type { AttributeValue, OnnxNode, OnnxTensor } from './onnx-proto.js';

/**
 * A tensor of the ONNX graph being built, standing for one tfjs tensor. Rank-4 image tensors travel
 * channels first (`nchw`: ONNX's Conv and pooling layout); tfjs's NHWC axes map onto it (see `layout.ts`).
 */
export interface GraphValue {
  name: string;
  /** The rank of the tfjs tensor it stands for. */
  rank: number;
  layout: 'nchw' | 'keras';
  /**
   * Set when this value is the output of a Conv or Gemm with no activation: the initializers a following
   * BatchNormalization may fold into, and which axis of the weight holds the output channels.
   */
  affine?: { weight: string; bias: string; channelAxis: number };
}

/** Nodes and initializers of one ONNX graph, with names unique within it. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  private readonly initializers = new Map<string, OnnxTensor>();
  private readonly used = new Set<string>();

  /** `base`, or `base_1`, `base_2`, … when taken. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a one-output node named after `base`; returns its output's name. */
  node(
    opType: string,
    inputs: readonly string[],
    base: string,
    attributes?: Readonly<Record<string, AttributeValue>>,
  ): string {
    const name = this.uniqueName(base);
    this.nodes.push({ opType, name, inputs, outputs: [name], ...(attributes && { attributes }) });
    return name;
  }

  /** Adds a constant; returns its name. */
  initializer(base: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    const name = this.uniqueName(base);
    this.initializers.set(name, { name, dims, data });
    return name;
  }

  /** The constant named `name`, for folding into it in place. */
  initializerData(name: string): Float32Array {
    const tensor = this.initializers.get(name);
    if (!(tensor?.data instanceof Float32Array)) throw new Error(`no float initializer '${name}'`);
    return tensor.data;
  }

  /** A node without outputs of its own: renames `from` to `to` (a graph output's name). */
  identity(from: string, to: string): void {
    this.used.add(to);
    this.nodes.push({ opType: 'Identity', name: to, inputs: [from], outputs: [to] });
  }

  allInitializers(): OnnxTensor[] {
    return [...this.initializers.values()];
  }
}
