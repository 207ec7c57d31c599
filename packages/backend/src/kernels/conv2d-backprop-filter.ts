import { type backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { forwardConvInfo, shape4 } from '../conv-geometry.js';
import { BackendError } from '../errors.js';
import { type KernelArgs, KernelCalls } from '../kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from '../simd/engine.js';
import { runFilterGradientByTaps, useFilterGradientByTaps } from '../simd/filter-gradient-by-taps.js';
import {
  convGeometry,
  heapOffset,
  TILE_ROWS as MR,
  TILE_COLUMNS as NR,
  withScratch,
} from '../simd/scratch.js';
import { runWinogradFilterGradient, winogradFilterGradientTile } from '../simd/winograd.js';

// The filter gradient sums over a chunk of output rows of one image at a time, whose packed output
// gradient takes about this many bytes, so that it stays in a 32-48 kB L1 data cache across all tiles.
const FILTER_GRADIENT_CHUNK_BYTES = 32 * 1024;

type Backend = WasmBackendInternals & { makeOutput(shape: number[], dtype: 'float32'): TensorInfo };

function backendOf(args: KernelArgs): Backend {
  return args.backend as unknown as Backend;
}

/** dW on our SIMD kernels (float32; Winograd where it pays, see simd/winograd.ts); otherwise undefined. */
function simdConv2DBackpropFilter(
  args: KernelArgs,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const backend = backendOf(args);
  const kernels = simdKernelsFor(backend);
  if (!kernels) return undefined;
  const out = backend.makeOutput(info.filterShape, 'float32');
  if (util.sizeFromShape(info.filterShape) === 0) return out;
  const m = winogradFilterGradientTile(info);
  if (m !== 0 || useFilterGradientByTaps(info)) {
    withScratch(backend, [out], (scratch) => {
      const at = { x: heapOffset(backend, x), dy: heapOffset(backend, dy), dw: heapOffset(backend, out) };
      if (m !== 0) runWinogradFilterGradient(kernels, scratch, info, { ...at, m });
      else runFilterGradientByTaps(kernels, scratch, info, at);
    });
    return out;
  }
  const chunkRows = Math.min(
    info.outHeight,
    Math.max(1, Math.floor(FILTER_GRADIENT_CHUNK_BYTES / (info.outWidth * info.outChannels * 4))),
  );
  const chunkPixels = Math.ceil((chunkRows * info.outWidth) / 4) * 4;
  withScratch(backend, [out], (scratch) => {
    const depth = info.filterHeight * info.filterWidth * info.inChannels;
    const packedA = scratch.alloc(Math.ceil(info.outChannels / MR) * MR * chunkPixels * 4);
    const panel = scratch.alloc(NR * chunkPixels * 4);
    const transposed = scratch.alloc(info.outChannels * Math.ceil(depth / NR) * NR * 4);
    kernels.convFilterGradient(
      heapOffset(backend, x),
      heapOffset(backend, dy),
      heapOffset(backend, out),
      ...convGeometry(info),
      chunkRows,
      packedA,
      panel,
      transposed,
      scratch.alloc(MR * NR * 4),
    );
  });
  return out;
}

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s + kh*d - pad, ow*s + kw*d - pad, ci] * dy[n,oh,ow,co],
 * which is a forward convolution of the input with batch and channels swapped ([Ci,H,W,N]) by the output
 * gradient used as filter ([OH,OW,N,Co]), stride d and dilation s: one XNNPACK call. Our SIMD kernel
 * does it directly where it runs (float32, and SIMD kernels bound to this backend).
 */
function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = args.attrs.filterShape as [number, number, number, number];
  const info = forwardConvInfo('Conv2DBackpropFilter', shape4(x), filterShape, args.attrs);
  // The kernels read dy by this shape: a wrong one would read past it.
  const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.length !== 4 || dy.shape.some((size, i) => size !== dyShape[i])) {
    throw new BackendError(
      `@fmnist/backend Conv2DBackpropFilter on wasm: dy has shape [${dy.shape}], expected [${dyShape}] for x [${x.shape}] and filterShape [${filterShape}]`,
    );
  }
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
