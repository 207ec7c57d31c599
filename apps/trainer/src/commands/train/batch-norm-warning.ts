import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Time constants, 1 / (1 - momentum) steps each, that BatchNormalization's moving mean and variance need
 * to forget their initial values (0 and 1): after n steps a weight of momentum^n is left on them, and
 * three time constants leave e^-3 ≈ 5%. Evaluation normalizes with these averages, not the batch's.
 */
const TIME_CONSTANTS = 3;

/**
 * A warning for a run of `steps` training steps too short for the model's BatchNormalization layers'
 * moving statistics (tfjs's momentum 0.99 needs about 300), which make the trained model predict one
 * class for every image; undefined when the run is long enough or the model has no such layers.
 */
export function batchNormWarning(model: tfl.LayersModel, steps: number): string | undefined {
  const momenta = model.layers
    .filter((layer) => layer.getClassName() === 'BatchNormalization')
    .map((layer) => (layer.getConfig() as { momentum: number }).momentum);
  if (momenta.length === 0) return undefined;
  const momentum = Math.max(...momenta);
  const needed = Math.round(TIME_CONSTANTS / (1 - momentum));
  if (steps >= needed) return undefined;
  const left = Math.round(100 * momentum ** steps);
  return (
    `warning: ${steps} training steps, but the model's ${momenta.length} BatchNormalization layers ` +
    `(momentum ${momentum}) need about ${needed} for the moving mean and variance that evaluation uses: ` +
    `after ${steps} steps those are still ${left}% their initial values (mean 0, variance 1), and the model ` +
    'may predict one class for every image. Train longer: more --epochs, more images (--limit), or a ' +
    'smaller --batch-size.'
  );
}
