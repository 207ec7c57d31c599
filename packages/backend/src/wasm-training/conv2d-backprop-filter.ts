import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { simdConv2DBackpropFilter } from '../simd-kernels/conv2d-gradients.js';
import { forwardConvInfo, shape4 } from './conv-geometry.js';
import { type KernelArgs, KernelCalls } from './kernel-call.js';

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s + kh*d - pad, ow*s + kw*d - pad, ci] * dy[n,oh,ow,co],
 * which is a forward convolution of the input with batch and channels swapped ([Ci,H,W,N]) by the output
 * gradient used as filter ([OH,OW,N,Co]), stride d and dilation s: one XNNPACK call. Our SIMD kernel
 * does it directly where it can (output channels a multiple of 8).
 */
function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = args.attrs.filterShape as [number, number, number, number];
  const info = forwardConvInfo('Conv2DBackpropFilter', shape4(x), filterShape, args.attrs);
  const simd = simdConv2DBackpropFilter(args, x, dy, info);
  if (simd) return simd;
  const calls = new KernelCalls(args.backend, 'wasm');
  const [, height, width] = shape4(x);
  // Rows of the padded input the filter-gradient convolution must span to give exactly kh x kw outputs.
  const spanH = (info.filterHeight - 1) * info.dilationHeight + (info.outHeight - 1) * info.strideHeight + 1;
  const spanW = (info.filterWidth - 1) * info.dilationWidth + (info.outWidth - 1) * info.strideWidth + 1;
  const swapped = calls.transpose(x, [3, 1, 2, 0]);
  const { x: input, pads } = calls.cropNegative(swapped, [
    [0, 0],
    [info.padInfo.top, spanH - height - info.padInfo.top],
    [info.padInfo.left, spanW - width - info.padInfo.left],
    [0, 0],
  ]);
  const filter = calls.transpose(dy, [1, 2, 0, 3]);
  const gradient = calls.run(
    'Conv2D',
    { x: input, filter },
    {
      strides: [info.dilationHeight, info.dilationWidth],
      dilations: [info.strideHeight, info.strideWidth],
      pad: pads,
      dataFormat: 'NHWC',
    },
  );
  return calls.finish(calls.transpose(gradient, [1, 2, 0, 3]));
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as KernelConfig['kernelFunc'],
};
