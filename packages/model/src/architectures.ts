import type * as tf from '@tensorflow/tfjs-layers';
import {
  CNN_MLP_MODEL_BN_TRAINABLE_PARAMS,
  CNN_MLP_MODEL_PARAMS,
  createCnnMlpModel,
} from './cnn-mlp-model.js';
import { warnDeprecated } from './deprecated.js';
import { ClassifierError } from './errors.js';
import { createVggModel, VGG_MODEL_TRAINABLE_PARAMS } from './vgg-model.js';

/** The options every architecture's factory takes (`createModel`'s); each factory documents its defaults. */
export interface ModelOptions {
  /** BatchNorm after each convolution (conv → BN → ReLU). */
  batchNorm?: boolean;
  /** Dropout rates after the convolution blocks and before the classifier. */
  dropout?: { conv?: number; dense?: number };
  /** Seed of the weight initializers, for reproducible starts (dropout masks stay random). */
  seed?: number;
  /** Image size and channels. Default 28x28x1. */
  inputShape?: [number, number, number];
  numClasses?: number;
}

/** A copy of shipped weights: as trained, or quantized to a quarter of the bytes. */
export type ShippedWeights = 'float32' | 'uint8';

/** One network of the {@link ARCHITECTURES} registry. */
export interface Architecture {
  /** One line: what the network is. */
  readonly description: string;
  /** Builds it, untrained. */
  readonly create: (options?: ModelOptions) => tf.LayersModel;
  /**
   * Its trainable parameters with otherwise default options: `batchNorm` with BatchNorm after each
   * convolution, `plain` without; each one given is a named constant, and the registry's test builds it.
   */
  readonly trainableParams: { readonly batchNorm?: number; readonly plain?: number };
  /**
   * The trained weights this package ships for it, one folder per copy: `weights/<name>` (float32) and
   * `weights/<name>-uint8`. `default` marks the one `loadClassifier()` loads. Absent: none ship.
   */
  readonly shipped?: { readonly copies: readonly ShippedWeights[]; readonly default?: true };
  /** Former names, still accepted for one release with a warning. */
  readonly deprecatedNames?: readonly string[];
}

/**
 * Every network this package builds, by the name recipes, `createModel` and `loadClassifier` use. Adding
 * an architecture is adding an entry here (and its weights folders, if it ships any).
 */
export const ARCHITECTURES = {
  'cnn-mlp': {
    description:
      "the 2019 report's hybrid CNN+MLP: four convolutions, two 3x3 max-pools, a 32-wide Dense (createCnnMlpModel)",
    create: createCnnMlpModel,
    trainableParams: { plain: CNN_MLP_MODEL_PARAMS, batchNorm: CNN_MLP_MODEL_BN_TRAINABLE_PARAMS },
    shipped: { copies: ['float32', 'uint8'] },
    deprecatedNames: ['seed'],
  },
  vgg: {
    description:
      'a small VGG: six 3x3 convolutions in pairs with BatchNorm, global average pooling (createVggModel)',
    create: createVggModel,
    trainableParams: { batchNorm: VGG_MODEL_TRAINABLE_PARAMS },
    shipped: { copies: ['float32', 'uint8'], default: true },
  },
} as const satisfies Readonly<Record<string, Architecture>>;

type Registry = typeof ARCHITECTURES;
export type ModelArchitecture = keyof Registry;
/** The architectures with shipped weights. */
export type ShippedArchitecture = {
  [K in ModelArchitecture]: Registry[K] extends { shipped: object } ? K : never;
}[ModelArchitecture];
/** Former architecture names (`'seed'` is `'cnn-mlp'`), accepted for one release with a warning. */
export type DeprecatedArchitecture = {
  [K in ModelArchitecture]: Registry[K] extends { deprecatedNames: readonly (infer N)[] } ? N : never;
}[ModelArchitecture];

/** The registry's names, in its order. */
export const MODEL_ARCHITECTURES = Object.keys(ARCHITECTURES) as readonly ModelArchitecture[];

function hasShippedWeights(name: ModelArchitecture): name is ShippedArchitecture {
  return 'shipped' in ARCHITECTURES[name];
}

/** The architectures this package ships weights for, from the registry; the first is the default. */
export const SHIPPED_ARCHITECTURES: readonly ShippedArchitecture[] = MODEL_ARCHITECTURES.filter(
  hasShippedWeights,
).sort((a, b) => Number(isDefault(b)) - Number(isDefault(a)));

function isDefault(name: ShippedArchitecture): boolean {
  const { shipped } = ARCHITECTURES[name];
  return 'default' in shipped && shipped.default;
}

/**
 * The registry's name for `name`: itself, or the new name of a deprecated one (said once, with
 * `console.warn`, as `label(old)` → `label(new)`). Anything else is a `ClassifierError` naming `where`
 * and every known name.
 */
export function resolveArchitecture(
  name: unknown,
  where = 'architecture',
  label: (name: string) => string = (n) => `architecture '${n}'`,
): ModelArchitecture {
  if (typeof name === 'string' && Object.hasOwn(ARCHITECTURES, name)) return name as ModelArchitecture;
  for (const known of MODEL_ARCHITECTURES) {
    const entry: Architecture = ARCHITECTURES[known];
    if (typeof name === 'string' && entry.deprecatedNames?.includes(name)) {
      warnDeprecated(label(name), label(known));
      return known;
    }
  }
  throw new ClassifierError(
    `${where} must be one of ${MODEL_ARCHITECTURES.join(', ')}, got '${String(name)}'`,
  );
}

/**
 * The shipped architecture `name` names (a deprecated name warns once), by default the default one.
 * A `ClassifierError` naming `where` and the shipped names for any other.
 */
export function resolveShippedArchitecture(
  name: unknown = SHIPPED_ARCHITECTURES[0],
  where = 'architecture',
  label?: (name: string) => string,
): ShippedArchitecture {
  const refuse = (cause?: unknown) =>
    new ClassifierError(
      `${where} must be one of ${SHIPPED_ARCHITECTURES.join(', ')}, got '${String(name)}' (the architectures with shipped weights)`,
      cause === undefined ? undefined : { cause },
    );
  let architecture: ModelArchitecture;
  try {
    architecture = resolveArchitecture(name, where, label);
  } catch (error) {
    throw refuse(error);
  }
  if (!hasShippedWeights(architecture)) throw refuse();
  return architecture;
}
