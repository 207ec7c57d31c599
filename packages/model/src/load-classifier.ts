import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ARCHITECTURES,
  type DeprecatedArchitecture,
  resolveShippedArchitecture,
  type ShippedArchitecture,
  type ShippedWeights,
} from './architectures.js';
import { Classifier, type ClassifierOptions } from './classifier.js';
import { ClassifierError } from './errors.js';
import { savedClassNames } from './saved-class-names.js';

export interface LoadClassifierOptions extends ClassifierOptions {
  /**
   * Where the model is: a URL of its `model.json`, or any `tf.io.IOHandler`. In Node, a directory or
   * `model.json` path works too; the default there is the weights shipped in this package.
   */
  model?: string | URL | tf.io.IOHandler;
  /**
   * Which shipped network, when `model` is not given (`SHIPPED_ARCHITECTURES`): `vgg` (default, the most
   * accurate) or `cnn-mlp` (the 2019 report's hybrid CNN+MLP; `seed` is its deprecated name). Each one's
   * test accuracy is in its `provenance.json`.
   */
  architecture?: ShippedArchitecture | DeprecatedArchitecture;
  /**
   * Which copy of the shipped weights, when `model` is not given: `float32` (default) or `uint8`
   * (a quarter of the download; its test accuracy is in its `provenance.json`).
   */
  weights?: ShippedWeights;
  /**
   * One name per model output. Without them, the names the model was saved with (`classNames` in its
   * `model.json`'s `userDefinedMetadata`); without those, a 28x28 grey model with ten outputs (the
   * shipped ones) gets Fashion-MNIST's names, any other `'class 0'`, `'class 1'`, ….
   */
  classNames?: readonly string[] | undefined;
}

export interface ShippedModel {
  architecture?: ShippedArchitecture | DeprecatedArchitecture;
  weights?: ShippedWeights;
}

/**
 * The folder under `weights/` of a shipped copy the architecture registry lists: the architecture's name,
 * `-uint8` for the quantized copy. Anything else is a `ClassifierError` naming what ships.
 */
export function shippedWeightsFolder({ architecture, weights = 'float32' }: ShippedModel = {}): string {
  const name = resolveShippedArchitecture(architecture, 'loadClassifier: architecture');
  const { copies } = ARCHITECTURES[name].shipped;
  if (!(copies as readonly unknown[]).includes(weights))
    throw new ClassifierError(
      `loadClassifier: weights must be ${copies.map((c) => `'${c}'`).join(' or ')}, got '${String(weights)}' (the copies shipped for '${name}')`,
    );
  return weights === 'float32' ? name : `${name}-${weights}`;
}

/** Loads a tfjs layers model, its failure a `ClassifierError` naming where it looked. */
export async function loadModel(source: string | tf.io.IOHandler): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(source);
  } catch (error) {
    const where = typeof source === 'string' ? source : 'the given IOHandler';
    throw new ClassifierError(`loadClassifier: cannot load a tfjs layers model from ${where}`, {
      cause: error,
    });
  }
}

/**
 * `new Kind(model, classNames, options)` (by default the names saved with the model), disposing `model`
 * when the classifier refuses it.
 */
export function classifierOver<T extends Classifier>(
  Kind: new (model: tfl.LayersModel, classNames?: readonly string[], options?: ClassifierOptions) => T,
  model: tfl.LayersModel,
  classNames: readonly string[] | undefined,
  options: ClassifierOptions = {},
): T {
  try {
    return new Kind(model, classNames ?? savedClassNames(model), options);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Loads a tfjs layers model as a {@link Classifier}: its input shape and class count come from the model,
 * and `classNames`, when given, must hold one name per output.
 */
export async function loadClassifierFrom(
  source: string | tf.io.IOHandler,
  classNames?: readonly string[],
  options: ClassifierOptions = {},
): Promise<Classifier> {
  return classifierOver(Classifier, await loadModel(source), classNames, options);
}

/**
 * The shipped weights, fetched from next to this module (browsers, bundlers), unless `model` says
 * otherwise (a URL or an IOHandler). In Node, `@fmnist/model/node`'s `loadClassifier` reads them from disk.
 */
export function loadClassifier(options: LoadClassifierOptions = {}): Promise<Classifier> {
  const inNode = typeof process !== 'undefined' && Boolean(process.versions?.node);
  if (inNode && options.model === undefined)
    return Promise.reject(
      new ClassifierError(
        "loadClassifier: in Node, import loadClassifier from '@fmnist/model/node', which reads the shipped weights from disk",
      ),
    );
  const source =
    options.model ?? new URL(`../weights/${shippedWeightsFolder(options)}/model.json`, import.meta.url);
  return loadClassifierFrom(source instanceof URL ? source.href : source, options.classNames, options);
}
