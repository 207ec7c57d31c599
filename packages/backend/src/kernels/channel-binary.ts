import { type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelWrapper } from '../kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from '../simd/engine.js';
import { heapOffset } from '../simd/scratch.js';

/** The op codes of assembly/channel-binary.ts. */
const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/** Whether `row` is one row of `full`'s last axis, broadcast over every other axis ([C], [1, 1, 1, C]). */
function isChannelRow(row: TensorInfo, full: TensorInfo): boolean {
  const channels = full.shape.at(-1);
  return (
    channels !== undefined &&
    row.shape.length <= full.shape.length &&
    row.shape.at(-1) === channels &&
    util.sizeFromShape(row.shape) === channels &&
    util.sizeFromShape(full.shape) > channels
  );
}

/**
 * `kernelName` of a float32 tensor and a per-channel row (batch normalization's x - mean in training)
 * as one SIMD pass: tfjs-wasm's broadcasting loop computes indices per element and takes twice as long
 * as its same-shape kernel. Other shapes and dtypes go to `original`.
 */
function channelBinaryWrapper(kernelName: keyof typeof OPS): KernelWrapper {
  const wrap =
    (original: KernelFunc): KernelFunc =>
    (args) => {
      const { a, b } = (args as unknown as KernelArgs).inputs as { a: TensorInfo; b: TensorInfo };
      const backend = (args as unknown as KernelArgs).backend as unknown as WasmBackendInternals & {
        makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
      };
      const rowFirst = isChannelRow(a, b);
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(rowFirst || isChannelRow(b, a))) {
        return original(args);
      }
      const kernels = simdKernelsFor(backend);
      if (!kernels) return original(args);
      const [full, row] = rowFirst ? [b, a] : [a, b];
      const channels = full.shape.at(-1)!;
      const out = backend.makeOutput(full.shape, 'float32');
      kernels.channelBinary(
        OPS[kernelName],
        heapOffset(backend, full),
        heapOffset(backend, row),
        heapOffset(backend, out),
        util.sizeFromShape(full.shape) / channels,
        channels,
        rowFirst ? 1 : 0,
      );
      return out;
    };
  return { kernelName, wrap };
}

export const channelBinaryWrappers: readonly KernelWrapper[] = (Object.keys(OPS) as (keyof typeof OPS)[]).map(
  channelBinaryWrapper,
);
