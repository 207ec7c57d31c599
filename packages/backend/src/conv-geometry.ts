import { backend_util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from './errors.js';

/** The forward convolution a gradient kernel belongs to, from its attributes. */
export function forwardConvInfo(
  kernelName: string,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: NamedAttrMap,
): backend_util.Conv2DInfo {
  const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC') {
    throw new BackendError(
      `@fmnist/backend ${kernelName} on wasm: dataFormat '${dataFormat}' is not supported; use 'NHWC'`,
    );
  }
  const dilations = (attrs.dilations as number | [number, number] | undefined) ?? 1;
  return backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides as number | [number, number],
    dilations,
    attrs.pad as 'valid' | 'same' | number | backend_util.ExplicitPadding,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

export function shape4(info: TensorInfo): [number, number, number, number] {
  return info.shape as [number, number, number, number];
}
