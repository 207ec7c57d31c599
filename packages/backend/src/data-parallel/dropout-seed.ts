import type * as tfl from '@tensorflow/tfjs-layers';

type Seeded = { seed?: number };

/** Mixes two integers into a well-spread 32-bit seed (a murmur3 finalizer). */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

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
