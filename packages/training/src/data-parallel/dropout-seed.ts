import { mixSeed } from '@fmnist/random';
import type * as tfl from '@tensorflow/tfjs-layers';

type Seeded = { seed?: number };

/** Every dropout-style layer (Dropout, SpatialDropout*, AlphaDropout, GaussianDropout), nested models included. */
function dropoutLayers(model: tfl.LayersModel | tfl.layers.Layer): tfl.layers.Layer[] {
  const inner = (model as { layers?: tfl.layers.Layer[] }).layers;
  if (!inner) return /Dropout/.test(model.getClassName()) ? [model as tfl.layers.Layer] : [];
  return inner.flatMap((layer) => dropoutLayers(layer));
}

/**
 * Runs `fn` with each dropout layer of `model` drawing its mask from a seed made of `seed` and the
 * layer's position, then puts the layers' own seeds back (so a saved model is unchanged). tfjs's
 * dropout is otherwise seeded from `Math.random`: this is what makes a training step reproducible.
 * Without `seed`, `fn` runs as is.
 */
export function withDropoutSeed<T>(model: tfl.LayersModel, seed: number | undefined, fn: () => T): T {
  if (seed === undefined) return fn();
  const layers = dropoutLayers(model) as Seeded[];
  const saved = layers.map((layer) => layer.seed);
  layers.forEach((layer, i) => {
    layer.seed = mixSeed(seed, i);
  });
  try {
    return fn();
  } finally {
    layers.forEach((layer, i) => {
      layer.seed = saved[i];
    });
  }
}
