import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryLoadHandler } from '@fmnist/io/node';
import type * as tf from '@tensorflow/tfjs-core';
import type { ShippedWeights } from '../architectures.js';
import { Classifier, type ClassifierInput, type ClassifierMethod } from '../classifier.js';
import { ClassifierError } from '../errors.js';
import {
  classifierOver,
  type LoadClassifierOptions,
  loadModel,
  type ShippedModel,
  shippedWeightsFolder,
} from '../load-classifier.js';
import { decodeImageFor, isEncodedImage } from './decode-image.js';

/**
 * The directory of a copy of the weights shipped in this package (`weights/vgg`, `weights/cnn-mlp-uint8`, …
 * at the package root, above `dist/` or `src/node/`). A string names the copy of the default architecture,
 * as in 0.1.
 */
export function shippedWeightsDir(shipped: ShippedModel | ShippedWeights = {}): string {
  const folder = shippedWeightsFolder(typeof shipped === 'string' ? { weights: shipped } : shipped);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 3; up++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'weights', folder);
  }
  throw new ClassifierError(
    `@fmnist/model: cannot find the package root above ${fileURLToPath(import.meta.url)}`,
  );
}

/**
 * In Node, `classify`, `predict` and `embed` also take PNG and JPEG bytes of any size (a Buffer or
 * Uint8Array), decoded and converted to the model's input shape as `toModelInput` says (RGB for a model
 * with three channels).
 */
export class NodeClassifier extends Classifier {
  protected override prepare(input: ClassifierInput, method: ClassifierMethod): ClassifierInput {
    if (Array.isArray(input)) return input.map((part) => this.prepare(part, method));
    if (input instanceof Uint8Array && isEncodedImage(input)) return decodeImageFor(input, method);
    return input;
  }
}

function sourceFor({ model, architecture, weights }: LoadClassifierOptions): string | tf.io.IOHandler {
  if (model === undefined) return directoryLoadHandler(shippedWeightsDir({ architecture, weights }));
  if (model instanceof URL)
    return model.protocol === 'file:' ? directoryLoadHandler(dirname(fileURLToPath(model))) : model.href;
  if (typeof model !== 'string') return model;
  if (/^https?:\/\//.test(model)) return model;
  const dir = model.endsWith('.json') ? dirname(model) : model;
  if (!existsSync(join(dir, 'model.json')))
    throw new ClassifierError(`loadClassifier: no model.json in ${dir}`);
  return directoryLoadHandler(dir);
}

/**
 * Loads the classifier: by default the weights shipped in this package (`architecture: 'cnn-mlp'` for the
 * report's network, `weights: 'uint8'` for the quantized copy), read from disk with no network.
 * `model` may be a directory, a `model.json` path, an http(s) URL or a `tf.io.IOHandler`.
 */
export async function loadClassifier(options: LoadClassifierOptions = {}): Promise<NodeClassifier> {
  return classifierOver(NodeClassifier, await loadModel(sourceFor(options)), options.classNames, options);
}
