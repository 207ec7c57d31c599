import { writeFileAtomic } from '@fmnist/io/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import { OnnxError } from '../errors.js';
import { type ToOnnxOptions, toOnnx } from '../to-onnx.js';

/**
 * Exports `model` (see `toOnnx`) to `file`, written to a temporary file and renamed over, so `file` is
 * the old one or the whole new one. A model that cannot be exported writes nothing.
 */
export async function saveOnnx(
  model: tfl.LayersModel,
  file: string,
  options: ToOnnxOptions = {},
): Promise<void> {
  const bytes = toOnnx(model, options);
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new OnnxError(`saveOnnx: cannot write ${file}${code ? ` (${code})` : ''}`, { cause: error });
  }
}
