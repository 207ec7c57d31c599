import { backend_util, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelWrapper } from '../kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from '../simd/engine.js';
import { keptFilterPacker } from '../simd/packed-filters.js';
import { convGeometry, heapOffset, indirectConvScratch, TILE_COLUMNS, withScratch } from '../simd/scratch.js';
import { runWinograd, winogradTile } from '../simd/winograd.js';

const MIN_INPUT_CHANNELS = 4;

// Activations the kernel applies in its store; tfjs's other fused activations go to XNNPACK.
// The codes of assembly/conv.ts's ACTIVATION_* constants.
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

/**
 * Conv2D and FusedConv2D (bias and linear/relu/relu6) on our SIMD kernels, reading the input and writing
 * the output where tfjs keeps them: Winograd for the 3x3 and 5x5 stride-1 convolutions where it pays
 * (simd/winograd.ts), the direct kernel for the rest, each with the filter packed once and kept from its
 * second use (simd/packed-filters.ts). Any other case (prelu, leaky relu, sigmoid, NCHW, int32) goes to
 * `original`, tfjs-wasm's XNNPACK kernel, which also raises tfjs's own errors for malformed calls.
 */
function simdConv2D(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs;
    const backend = (args as unknown as KernelArgs).backend as unknown as WasmBackendInternals & {
      makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
    };
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const activation = ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
    const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
    if (
      !x ||
      !filter ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      x.shape.length !== 4 ||
      filter.shape.length !== 4 ||
      x.shape[3] !== filter.shape[2] ||
      preluActivationWeights ||
      activation === undefined ||
      dataFormat !== 'NHWC' ||
      (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3]))
    ) {
      return original(args);
    }
    const kernels = simdKernelsFor(backend);
    if (!kernels) return original(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides as number | [number, number],
      (attrs.dilations as number | [number, number] | undefined) ?? 1,
      attrs.pad as 'valid' | 'same' | number | backend_util.ExplicitPadding,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const winograd = winogradTile(info, { keptFilter: true });
    // With fewer than 4 input channels (a first layer) gathering rows costs more than XNNPACK's kernel.
    if (!winograd && info.inChannels < MIN_INPUT_CHANNELS) return original(args);
    const out = backend.makeOutput(info.outShape, 'float32');
    if (util.sizeFromShape(info.outShape) === 0) return out;
    const taps = info.filterHeight * info.filterWidth;
    const depth = taps * info.inChannels;
    withScratch(backend, [out], (scratch) => {
      const biasAt = bias ? heapOffset(backend, bias) : 0;
      const packFilter = keptFilterPacker(backend, scratch, filter);
      if (winograd) {
        runWinograd(kernels, scratch, info, {
          src: heapOffset(backend, x),
          filter: heapOffset(backend, filter),
          bias: biasAt,
          out: heapOffset(backend, out),
          activation,
          transposed: false,
          m: winograd,
          packFilter,
        });
        return out;
      }
      const { packedBytes, packedBias, indirection, zeros, packedA, spill } = indirectConvScratch(
        scratch,
        taps,
        info.inChannels,
        info.outChannels,
      );
      // The bias is packed on every call: the kept filter is keyed by the filter's data alone.
      const columns = Math.ceil(info.outChannels / TILE_COLUMNS) * TILE_COLUMNS;
      scratch.packBias(biasAt, info.outChannels, columns, packedBias);
      const packed = packFilter('direct', packedBytes, (at) =>
        kernels.packColumns(heapOffset(backend, filter), depth, info.outChannels, at, biasAt, packedBias),
      );
      kernels.convIndirect(
        heapOffset(backend, x),
        packed,
        packedBias,
        heapOffset(backend, out),
        ...convGeometry(info),
        0,
        activation,
        indirection,
        zeros,
        packedA,
        spill,
      );
    });
    return out;
  };
}

export const conv2DWrapper: KernelWrapper = { kernelName: 'Conv2D', wrap: simdConv2D };
export const fusedConv2DWrapper: KernelWrapper = { kernelName: 'FusedConv2D', wrap: simdConv2D };
