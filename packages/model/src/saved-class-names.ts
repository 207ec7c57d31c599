import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The class names a model was saved with: `userDefinedMetadata.classNames` of its `model.json` (tfjs's
 * `model.setUserDefinedMetadata({ classNames })` before `save`), when it is a list of strings.
 */
export function savedClassNames(model: tfl.LayersModel): readonly string[] | undefined {
  const metadata = model.getUserDefinedMetadata() as { classNames?: unknown } | undefined;
  const names = metadata?.classNames;
  return Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : undefined;
}
