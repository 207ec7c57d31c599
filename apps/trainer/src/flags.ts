import { parseArgs } from 'node:util';

interface FlagSpec {
  type: 'string' | 'boolean';
  /** Repeatable (values collected in a list). */
  multiple?: true;
  /** The value's placeholder in the help text. */
  value?: string;
  help: string;
  /** Applied when the flag is absent (shown in the help); flags whose default comes from the recipe have none. */
  default?: string;
  /** Relative paths are taken from where the user typed the command. */
  path?: true;
}

/** Every flag of fmnist-train, declared once: parsing, the help text and the defaults come from here. */
export const TRAIN_FLAGS = {
  recipe: { type: 'string', value: 'NAME', help: 'seed | seed-bn | quick', default: 'quick' },
  config: { type: 'string', value: 'FILE', help: 'JSON file of recipe fields to override', path: true },
  epochs: { type: 'string', value: 'N', help: "epochs (default: the recipe's)" },
  'batch-size': { type: 'string', value: 'N', help: "batch size (default: the recipe's)" },
  lr: { type: 'string', value: 'X', help: "peak learning rate (default: the recipe's)" },
  'val-split': {
    type: 'string',
    value: 'F',
    help: "fraction of training images held out for validation (default: the recipe's)",
  },
  augment: {
    type: 'boolean',
    help: 'turn augmentation on (±2 px shifts and flips) when the config turned it off',
  },
  'no-augment': { type: 'boolean', help: 'train without augmentation' },
  backend: { type: 'string', value: 'B', help: 'auto | tensorflow | wasm | cpu', default: 'auto' },
  workers: {
    type: 'string',
    value: 'N|auto',
    help: 'threads computing gradients (auto: one per core)',
    default: 'auto',
  },
  seed: {
    type: 'string',
    value: 'N',
    help: 'seed of the initial weights, shuffles and augmentation',
    default: '42',
  },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'use the Fashion-MNIST files there (default: search the usual places)',
    path: true,
  },
  'no-download': { type: 'boolean', help: 'never download the data' },
  limit: { type: 'string', value: 'N', help: 'train on the first N images (smoke runs)' },
  out: { type: 'string', value: 'DIR', help: 'run directory (default: runs/<timestamp>)', path: true },
  'checkpoint-minutes': {
    type: 'string',
    value: 'M',
    help: 'also checkpoint mid-epoch every M minutes',
    default: '10',
  },
  teacher: {
    type: 'string',
    multiple: true,
    value: 'DIR|shipped',
    help: 'distill from this model (repeatable: their mean); targets mix its flip-and-shift-averaged probabilities with the labels',
  },
  'distill-alpha': {
    type: 'string',
    value: 'A',
    help: "weight of the teachers' probabilities in the targets (default 0.5)",
  },
  tensorboard: {
    type: 'string',
    value: 'DIR',
    help: 'write TensorBoard logs there (default: OUT/tensorboard)',
    path: true,
  },
  'no-tensorboard': { type: 'boolean', help: 'write no TensorBoard logs' },
  resume: {
    type: 'string',
    value: 'DIR',
    help: 'continue the run in DIR from its last checkpoint',
    path: true,
  },
  help: { type: 'boolean', help: 'this text' },
} as const satisfies Record<string, FlagSpec>;

type Specs = typeof TRAIN_FLAGS;
/** The parsed flags: strings, booleans, lists for repeatable flags; absent ones undefined. */
export type TrainFlags = {
  -readonly [K in keyof Specs]?: Specs[K]['type'] extends 'boolean'
    ? boolean
    : Specs[K] extends { multiple: true }
      ? string[]
      : string;
};

/** Parses `argv` (throws node:util's ERR_PARSE_ARGS errors on unknown flags or missing values). */
export function parseTrainFlags(argv: string[]): TrainFlags {
  const options = Object.fromEntries(
    Object.entries(TRAIN_FLAGS).map(([name, spec]) => [
      name,
      { type: spec.type, ...('multiple' in spec ? { multiple: true } : {}) },
    ]),
  );
  return parseArgs({ args: argv, strict: true, options }).values as TrainFlags;
}

/** The default of a flag, from its declaration. */
export function flagDefault(name: keyof Specs): string | undefined {
  const spec: FlagSpec = TRAIN_FLAGS[name];
  return spec.default;
}

/** The flags whose relative paths are resolved against the user's working directory. */
export const PATH_FLAGS = Object.entries(TRAIN_FLAGS)
  .filter(([, spec]) => 'path' in spec)
  .map(([name]) => name as keyof Specs);

/** `--name VALUE   help (default D)`, one line per flag, help wrapped under its column. */
export function flagsHelp(): string {
  const width = 26;
  return Object.entries(TRAIN_FLAGS)
    .map(([name, spec]: [string, FlagSpec]) => {
      const left = `  --${name}${spec.value ? ` ${spec.value}` : ''}`;
      const help = `${spec.help}${spec.default !== undefined ? ` (default ${spec.default})` : ''}`;
      return left.length < width ? left.padEnd(width) + help : `${left}\n${' '.repeat(width)}${help}`;
    })
    .join('\n');
}
