import { readFileSync } from 'node:fs';
import { BACKEND_CHOICES, type BackendChoice } from '@fmnist/backend';
import { architectureOf, ClassifierError, RECIPES, type Recipe } from '@fmnist/model';
import { UsageError } from '../../cli/exit-codes.js';
import { choiceFlag, integerFlag, numberFlag, userPath } from '../../cli/flags.js';
import { checkDistillation, shippedTeacher, type TeacherIdentity } from './distill.js';
import { expandEnsemble } from './ensemble-teacher.js';
import { TRAIN_FLAGS, type TrainFlags } from './train-flags.js';

export interface RunConfig {
  recipe: Recipe;
  backend: BackendChoice;
  workers: number | 'auto';
  seed: number;
  dataDir?: string;
  download: boolean;
  limit?: number;
  /** Evaluate on the first `testLimit` test images only (smoke runs). */
  testLimit?: number;
  out: string;
  /** Minutes between checkpoints within an epoch (a kill loses at most that much); default 10. */
  checkpointMinutes?: number;
  /** Where TensorBoard event files go (default `<out>/tensorboard`); `false` writes none. */
  tensorboard?: string | false;
  /** The weights each distillation teacher stood for when the run started (set by the trainer). */
  teachers?: TeacherIdentity[];
  /** The command line that started the run, kept across resumes for the model's provenance. */
  command?: string;
}

function readConfigFile(path: string): Partial<Recipe> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${path}: cannot read (${(error as Error).message})`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object');
    return parsed as Partial<Recipe>;
  } catch (error) {
    throw new UsageError(
      `--config ${path}: not a JSON object of recipe fields (${(error as Error).message})`,
    );
  }
}

/** A command line that starts a run like `config` (its recipe's other fields are in `config.recipe`). */
export function equivalentCommand(config: RunConfig): string {
  const flags = [
    `--recipe ${config.recipe.name}`,
    `--epochs ${config.recipe.epochs}`,
    `--batch-size ${config.recipe.batchSize}`,
    `--seed ${config.seed}`,
    ...(config.limit ? [`--limit ${config.limit}`] : []),
    ...(config.testLimit ? [`--test-limit ${config.testLimit}`] : []),
    ...(config.recipe.distill
      ? [
          ...config.recipe.distill.teachers.map((teacher) => `--teacher ${teacher}`),
          `--distill-alpha ${config.recipe.distill.alpha}`,
        ]
      : []),
    `--out ${config.out}`,
  ];
  return `fmnist-train ${flags.join(' ')}`;
}

/** The recipe named by --recipe, then the --config file's fields, then the individual flags. */
export function resolveConfig(flags: TrainFlags, now = new Date()): RunConfig {
  const name = flags.recipe ?? TRAIN_FLAGS.defaultOf('recipe')!;
  const base = RECIPES[name];
  if (!base)
    throw new UsageError(`unknown recipe '${name}'; expected one of ${Object.keys(RECIPES).join(', ')}`);
  const recipe: Recipe = structuredClone({ ...base, ...(flags.config ? readConfigFile(flags.config) : {}) });
  recipe.epochs = integerFlag('epochs', flags.epochs, 1) ?? recipe.epochs;
  recipe.batchSize = integerFlag('batch-size', flags['batch-size'], 1) ?? recipe.batchSize;
  const lr = numberFlag('lr', flags.lr, (n) => n > 0, 'a positive number');
  if (lr !== undefined) {
    recipe.optimizer.learningRate = lr;
    if (recipe.schedule.type === 'oneCycle') recipe.schedule.maxLR = lr;
  }
  recipe.validationSplit =
    numberFlag('val-split', flags['val-split'], (n) => n >= 0 && n < 1, 'in [0, 1)') ??
    recipe.validationSplit;
  if (flags.augment && flags['no-augment'])
    throw new UsageError('--augment and --no-augment contradict each other');
  if (flags['no-augment']) recipe.augment = { type: 'none' };
  // --augment turns augmentation back on for a config that switched it off: the best-known shifts and flips.
  if (flags.augment && recipe.augment.type === 'none')
    recipe.augment = { type: 'shiftFlip', padding: 2, horizontalFlip: true };
  checkArchitecture(recipe);
  resolveDistillation(recipe, flags);
  const backend = choiceFlag('backend', flags.backend ?? TRAIN_FLAGS.defaultOf('backend')!, BACKEND_CHOICES);
  const workersFlag = flags.workers ?? TRAIN_FLAGS.defaultOf('workers');
  const workers = workersFlag === 'auto' ? 'auto' : integerFlag('workers', workersFlag, 1)!;
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  return {
    recipe,
    backend,
    workers,
    seed: integerFlag('seed', flags.seed ?? TRAIN_FLAGS.defaultOf('seed'), 0)!,
    dataDir: flags['data-dir'],
    download: !flags['no-download'],
    limit: integerFlag('limit', flags.limit, 1),
    testLimit: integerFlag('test-limit', flags['test-limit'], 1),
    out: flags.out ?? userPath(`runs/${stamp}`),
    tensorboard: tensorboardDir(flags),
    checkpointMinutes: numberFlag(
      'checkpoint-minutes',
      flags['checkpoint-minutes'] ?? TRAIN_FLAGS.defaultOf('checkpoint-minutes'),
      (n) => n >= 0,
      'a number of minutes ≥ 0',
    )!,
  };
}

/** A UsageError naming the field if the recipe's network is not in @fmnist/model's architecture registry. */
function checkArchitecture({ model }: Recipe) {
  try {
    architectureOf(model);
  } catch (error) {
    if (error instanceof ClassifierError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** `--teacher` (repeatable) and `--distill-alpha` over the config's `distill`; teacher paths made absolute. */
function resolveDistillation(recipe: Recipe, flags: TrainFlags) {
  const alpha = numberFlag('distill-alpha', flags['distill-alpha'], (n) => n >= 0 && n <= 1, 'in [0, 1]');
  if (flags.teacher?.length) {
    recipe.distill = {
      tta: 'flip-shift',
      alpha: 0.5,
      temperature: 1,
      ...recipe.distill,
      teachers: flags.teacher,
    };
  }
  if (!recipe.distill) {
    if (alpha !== undefined)
      throw new UsageError('--distill-alpha needs a --teacher (or distill in --config)');
    return;
  }
  if (alpha !== undefined) recipe.distill.alpha = alpha;
  if (Array.isArray(recipe.distill.teachers))
    recipe.distill.teachers = recipe.distill.teachers.flatMap((t) =>
      shippedTeacher(t) ? [t] : expandEnsemble(userPath(t)),
    );
  checkDistillation(recipe.distill);
}

function tensorboardDir(flags: TrainFlags): string | false | undefined {
  if (flags.tensorboard !== undefined && flags['no-tensorboard'])
    throw new UsageError('--tensorboard and --no-tensorboard contradict each other');
  if (flags['no-tensorboard']) return false;
  return flags.tensorboard;
}
