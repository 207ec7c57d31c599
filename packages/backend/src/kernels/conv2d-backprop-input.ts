import { type backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { forwardConvInfo, shape4 } from '../conv-geometry.js';
import { type KernelArgs, KernelCalls } from '../kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from '../simd/engine.js';
import { convGeometry, heapOffset, indirectConvScratch, withScratch } from '../simd/scratch.js';
import { runWinograd, winogradTile } from '../simd/winograd.js';

const MIN_OUTPUT_COLUMNS = 4;

type Backend = WasmBackendInternals & { makeOutput(shape: number[], dtype: 'float32'): TensorInfo };

function backendOf(args: KernelArgs): Backend {
  return args.backend as unknown as Backend;
}

/**
 * dx on our SIMD kernels: Winograd where it pays for a 3x3 stride-1 convolution (dx is then a 3x3
 * correlation of dy with the flipped filter), otherwise the forward kernel run "transposed": each dx pixel gathers, per tap, the dy
 * pixel it was read by (where the stride divides), times the filter with channels swapped. Returns
 * undefined where the kernel cannot run, for the caller's fallback.
 */
function simdConv2DBackpropInput(
  args: KernelArgs,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const winograd = winogradTile(info, { transposed: true });
  // dx of a first layer (1-3 input channels, the model's input) fills under half of 8-wide tiles: XNNPACK.
  if (!winograd && info.inChannels < MIN_OUTPUT_COLUMNS) return undefined;
  const backend = backendOf(args);
  const kernels = simdKernelsFor(backend);
  if (!kernels) return undefined;
  const out = backend.makeOutput(info.inShape, 'float32');
  if (util.sizeFromShape(info.inShape) === 0) return out;
  const taps = info.filterHeight * info.filterWidth;
  withScratch(backend, [out], (scratch) => {
    if (winograd) {
      runWinograd(kernels, scratch, info, {
        src: heapOffset(backend, dy),
        filter: heapOffset(backend, filter),
        bias: 0,
        out: heapOffset(backend, out),
        activation: 0,
        transposed: true,
        m: winograd,
      });
      return out;
    }
    const { packedBytes, packedBias, indirection, zeros, packedA, spill } = indirectConvScratch(
      scratch,
      taps,
      info.outChannels,
      info.inChannels,
    );
    const packed = scratch.alloc(packedBytes);
    kernels.packFilterTransposed(
      heapOffset(backend, filter),
      taps,
      info.inChannels,
      info.outChannels,
      packed,
      packedBias,
    );
    kernels.convIndirect(
      heapOffset(backend, dy),
      packed,
      packedBias,
      heapOffset(backend, out),
      ...convGeometry(info, { transposed: true }),
      1,
      0,
      indirection,
      zeros,
      packedA,
      spill,
    );
  });
  return out;
}

/**
 * dx is the output gradient, with s-1 zeros inserted between its rows and columns when the stride s > 1,
 * convolved (stride 1, dilation d) with the spatially flipped filter whose in/out channels are swapped.
 * One XNNPACK call instead of tfjs-wasm's naive loop, where our SIMD kernel cannot run.
 */
function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = args.attrs.inputShape as [number, number, number, number];
  const info = forwardConvInfo('Conv2DBackpropInput', inputShape, shape4(filter), args.attrs);
  const simd = simdConv2DBackpropInput(args, dy, filter, info);
  if (simd) return simd;
  const calls = new KernelCalls(args.backend, 'wasm');
  const [batch, outHeight, outWidth, outChannels] = shape4(dy);
  const [, height, width] = inputShape;
  let spread = dy;
  if (info.strideHeight > 1 || info.strideWidth > 1) {
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const split = calls.reshape(dy, [batch, outHeight, 1, outWidth, 1, outChannels]);
    const zeros = calls.run(
      'PadV2',
      { x: split },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    spread = calls.reshape(zeros, [batch, outHeight * sh, outWidth * sw, outChannels]);
  }
  const reachH = (info.filterHeight - 1) * info.dilationHeight;
  const reachW = (info.filterWidth - 1) * info.dilationWidth;
  const top = reachH - info.padInfo.top;
  const left = reachW - info.padInfo.left;
  const { x: input, pads } = calls.cropNegative(spread, [
    [0, 0],
    [top, height + reachH - top - spread.shape[1]!],
    [left, width + reachW - left - spread.shape[2]!],
    [0, 0],
  ]);
  const flipped = calls.run('Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = calls.transpose(flipped, [0, 1, 3, 2]);
  const gradient = calls.run(
    'Conv2D',
    { x: input, filter: swapped },
    { strides: [1, 1], dilations: [info.dilationHeight, info.dilationWidth], pad: pads, dataFormat: 'NHWC' },
  );
  return calls.finish(gradient);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as KernelConfig['kernelFunc'],
};
