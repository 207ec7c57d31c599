import { RECIPES } from '@fmnist/model';
import { defineFlags, type ParsedFlags, SHARED_FLAGS } from '../../cli/flags.js';

/** Every flag of fmnist-train: parsing, the help text and the defaults come from here. */
export const TRAIN_FLAGS = defineFlags(
  {
    recipe: { type: 'string', value: 'NAME', help: Object.keys(RECIPES).join(' | '), default: 'quick' },
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
    backend: SHARED_FLAGS.backend,
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
    'data-dir': SHARED_FLAGS['data-dir'],
    'no-download': SHARED_FLAGS['no-download'],
    limit: { type: 'string', value: 'N', help: 'train on the first N images (smoke runs)' },
    'test-limit': {
      type: 'string',
      value: 'N',
      help: 'evaluate on the first N test images (smoke runs, sweep tests)',
    },
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
      value: 'DIR|shipped[:ARCH]',
      help: "distill from this model (repeatable: their mean; a folder of fmnist-sweep --ensemble stands for its members), or @fmnist/model's weights (shipped:cnn-mlp for the report's network); targets mix its flip-and-shift-averaged probabilities with the labels",
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
    help: SHARED_FLAGS.help,
  },
  { applyDefaults: false },
);

/** fmnist-train's parsed flags; defaults are not filled in (the recipe and --config come between). */
export type TrainFlags = ParsedFlags<typeof TRAIN_FLAGS.specs>;
