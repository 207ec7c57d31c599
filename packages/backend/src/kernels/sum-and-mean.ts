import { backend_util, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { type KernelArgs, KernelCalls, type KernelWrapper } from '../kernel-call.js';

/**
 * Sum and Mean over the leading axes of a float32 tensor (per-channel reductions of NHWC activations:
 * bias, BatchNorm and moment gradients) as one XNNPACK average pooling of the `[1, rows, 1, channels]`
 * view, which reads the tensor once. tfjs-wasm transposes the whole tensor to make those axes innermost
 * before a scalar loop, and a matrix product with ones would repack the tensor as weights every call.
 * Every other case goes to the backend's original kernel.
 */
function leadingAxesReduction(kernelName: 'Sum' | 'Mean', original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const { x } = inputs as { x: TensorInfo };
    const rank = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((axis, i) => axis === i);
    if (!leading || x.dtype !== 'float32') return original(args);
    const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const rows = util.sizeFromShape(reduceShape);
    const columns = util.sizeFromShape(outShape);
    // XNNPACK rejects a 1x1 pooling window; one row is a copy the original kernel does well.
    if (rows < 2 || columns === 0) return original(args);
    const calls = new KernelCalls(backend, 'wasm');
    const view = calls.reshape(x, [1, rows, 1, columns]);
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
