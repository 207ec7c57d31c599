import { backend_util, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { type KernelArgs, KernelCalls, type KernelWrapper } from '../kernel-call.js';

/**
 * Sum and Mean over a run of consecutive axes that leaves some trailing axis out, as one XNNPACK average
 * pooling of the `[outer, rows, 1, inner]` view, which reads the tensor once: the leading axes of NHWC
 * activations (per-channel reductions: bias, BatchNorm and moment gradients; outer is 1) and height and
 * width (global average pooling). tfjs-wasm transposes the whole tensor to make those axes innermost
 * before a scalar loop (~8x slower for the VGG's pooling), and a matrix product with ones would repack
 * the tensor as weights every call. Every other case (trailing axes, which need no transpose, gaps,
 * every axis, int32) goes to the backend's original kernel.
 */
function leadingAxesReduction(kernelName: 'Sum' | 'Mean', original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const { x } = inputs as { x: TensorInfo };
    const rank = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
    const first = axes[0] ?? rank;
    const last = axes.at(-1) ?? rank;
    const consecutive = axes.every((axis, i) => axis === first + i);
    if (!consecutive || last >= rank - 1 || x.dtype !== 'float32') return original(args);
    const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const rows = util.sizeFromShape(reduceShape);
    const inner = util.sizeFromShape(x.shape.slice(last + 1));
    // XNNPACK rejects a 1x1 pooling window; one row is a copy the original kernel does well.
    if (rows < 2 || outer * inner === 0) return original(args);
    const calls = new KernelCalls(backend, 'wasm');
    const view = calls.reshape(x, [outer, rows, 1, inner]);
    let result = calls.run('AvgPool', { x: view }, { filterSize: [rows, 1], strides: 1, pad: 'valid' });
    if (kernelName === 'Sum') {
      const factor = calls.run('Fill', {}, { shape: [], value: rows, dtype: 'float32' });
      result = calls.run('Multiply', { a: result, b: factor });
    }
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return calls.finish(calls.reshape(result, shape));
  };
}

export const sumWrapper: KernelWrapper = {
  kernelName: 'Sum',
  wrap: (original) => leadingAxesReduction('Sum', original),
};
export const meanWrapper: KernelWrapper = {
  kernelName: 'Mean',
  wrap: (original) => leadingAxesReduction('Mean', original),
};
