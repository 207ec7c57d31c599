import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BACKEND_CHOICES, type BackendChoice } from '@fmnist/backend';
import { RECIPES, type Recipe } from '@fmnist/model';
import { checkDistillation } from './distill.js';
import { UsageError } from './exit-codes.js';
import { flagDefault, type TrainFlags } from './flags.js';

export interface RunConfig {
  recipe: Recipe;
  backend: BackendChoice;
  workers: number | 'auto';
  seed: number;
  dataDir?: string;
  download: boolean;
  limit?: number;
  out: string;
  /** Minutes between checkpoints within an epoch (a kill loses at most that much); default 10. */
  checkpointMinutes?: number;
  /** Where TensorBoard event files go (default `<out>/tensorboard`); `false` writes none. */
  tensorboard?: string | false;
  /** The command line that started the run, kept across resumes for the model's provenance. */
  command?: string;
}

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

function real(flag: string, value: string | undefined, check: (n: number) => boolean, expected: string) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`--${flag} must be ${expected}, got '${value}'`);
  return n;
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
  const name = flags.recipe ?? flagDefault('recipe')!;
  const base = RECIPES[name];
  if (!base)
    throw new UsageError(`unknown recipe '${name}'; expected one of ${Object.keys(RECIPES).join(', ')}`);
  const recipe: Recipe = structuredClone({ ...base, ...(flags.config ? readConfigFile(flags.config) : {}) });
  recipe.epochs = integer('epochs', flags.epochs, 1) ?? recipe.epochs;
  recipe.batchSize = integer('batch-size', flags['batch-size'], 1) ?? recipe.batchSize;
  const lr = real('lr', flags.lr, (n) => n > 0, 'a positive number');
  if (lr !== undefined) {
    recipe.optimizer.learningRate = lr;
    if (recipe.schedule.type === 'oneCycle') recipe.schedule.maxLR = lr;
  }
  recipe.validationSplit =
    real('val-split', flags['val-split'], (n) => n >= 0 && n < 1, 'in [0, 1)') ?? recipe.validationSplit;
  if (flags.augment && flags['no-augment'])
    throw new UsageError('--augment and --no-augment contradict each other');
  if (flags['no-augment']) recipe.augment = { type: 'none' };
  // --augment turns augmentation back on for a config that switched it off: the best-known shifts and flips.
  if (flags.augment && recipe.augment.type === 'none')
    recipe.augment = { type: 'shiftFlip', padding: 2, horizontalFlip: true };
  resolveDistillation(recipe, flags);
  const backend = (flags.backend ?? flagDefault('backend')) as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${flags.backend}'`);
  }
  const workersFlag = flags.workers ?? flagDefault('workers');
  const workers = workersFlag === 'auto' ? 'auto' : integer('workers', workersFlag, 1)!;
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  return {
    recipe,
    backend,
    workers,
    seed: integer('seed', flags.seed ?? flagDefault('seed'), 0)!,
    dataDir: flags['data-dir'],
    download: !flags['no-download'],
    limit: integer('limit', flags.limit, 1),
    out: flags.out ?? resolve(process.env.INIT_CWD ?? process.cwd(), 'runs', stamp),
    tensorboard: tensorboardDir(flags),
    checkpointMinutes: real(
      'checkpoint-minutes',
      flags['checkpoint-minutes'] ?? flagDefault('checkpoint-minutes'),
      (n) => n >= 0,
      'a number of minutes ≥ 0',
    )!,
  };
}

/** `--teacher` (repeatable) and `--distill-alpha` over the config's `distill`; teacher paths made absolute. */
function resolveDistillation(recipe: Recipe, flags: TrainFlags) {
  const alpha = real('distill-alpha', flags['distill-alpha'], (n) => n >= 0 && n <= 1, 'in [0, 1]');
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
  const base = process.env.INIT_CWD ?? process.cwd();
  if (Array.isArray(recipe.distill.teachers))
    recipe.distill.teachers = recipe.distill.teachers.map((t) => (t === 'shipped' ? t : resolve(base, t)));
  checkDistillation(recipe.distill);
}

function tensorboardDir(flags: TrainFlags): string | false | undefined {
  if (flags.tensorboard !== undefined && flags['no-tensorboard'])
    throw new UsageError('--tensorboard and --no-tensorboard contradict each other');
  if (flags['no-tensorboard']) return false;
  return flags.tensorboard;
}
