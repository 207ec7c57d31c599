import { TrainingError } from '../errors.js';

/** A JSON value a parameter may take: a number, a string, a boolean or a whole object (an `augment`). */
export type ParameterValue = number | string | boolean | null | { [key: string]: unknown } | unknown[];

/**
 * How one parameter varies. `grid`: every value, crossed with the other grids; `list`: the i-th trial
 * takes the i-th value (several lists are zipped, so they must be equally long); `choice`, `uniform`,
 * `logUniform`: drawn per trial from the sweep's seed.
 */
export type ParameterSpace =
  | { grid: ParameterValue[] }
  | { list: ParameterValue[] }
  | { choice: ParameterValue[] }
  | { uniform: [number, number] }
  | { logUniform: [number, number] };

/** The metrics a sweep can optimise, each with its direction. */
export const SWEEP_METRICS = { val_acc: 'max', val_loss: 'min' } as const;
export type SweepMetric = keyof typeof SWEEP_METRICS;

/**
 * Early stopping of poor trials. `asha`: asynchronous successive halving (Li et al. 2020): at epochs
 * `minEpochs · reductionFactor^k` a trial goes on only if it is in the top `1/reductionFactor` of the
 * trials that reached that epoch. `median`: Optuna's MedianPruner: after `warmupEpochs`, a trial stops when
 * its best value so far is worse than the median of finished trials at the same epoch (once
 * `minTrials` finished).
 */
export type PruningRule =
  | { rule: 'none' }
  | { rule: 'asha'; reductionFactor: number; minEpochs: number }
  | { rule: 'median'; warmupEpochs: number; minTrials: number };

export interface SweepSpec {
  /** Names the sweep's folder in a store and its lock and jobs on a queue. */
  name: string;
  /** A recipe name; `overrides` are recipe fields (dotted paths allowed) applied to every trial. */
  base: { recipe: string; overrides: Record<string, ParameterValue> };
  /** Recipe fields by dotted path (`optimizer.weightDecay`, `augment`), and `seed`, each with its space. */
  parameters: Record<string, ParameterSpace>;
  budget: {
    /** Trials to run; default: one per grid point and list entry (needed when any parameter is random). */
    trials?: number;
    /** Epochs per trial (default the recipe's). */
    epochs?: number;
    /** Train on the first `limit` training images (tiny sweeps, tests). */
    limit?: number;
    /** Report test accuracy on the first `testLimit` test images (tiny sweeps, tests). */
    testLimit?: number;
    /** Fraction of the training images held out to compute the metric (default 0.1). */
    validationSplit: number;
  };
  metric: SweepMetric;
  pruning: PruningRule;
  /** Seed of the random draws and of trials whose `seed` is not a parameter. */
  seed: number;
  /** Attempts per trial before it is marked failed (a queue retries; embedded mode too). */
  attempts: number;
}

const SPACES = ['grid', 'list', 'choice', 'uniform', 'logUniform'] as const;
const RULES = ['none', 'asha', 'median'] as const;
/** Optuna's and Li et al.'s usual reduction factor: keep the top third at each rung. */
const DEFAULT_REDUCTION_FACTOR = 3;
/** Optuna MedianPruner's defaults are n_startup_trials=5, n_warmup_steps=0; epochs are coarse steps here. */
const DEFAULT_MEDIAN = { warmupEpochs: 1, minTrials: 3 };

type Obj = Record<string, unknown>;

/**
 * Checks a parsed sweep file field by field; a `TrainingError` names the field (with `source`, the file),
 * what was expected and what was found. Defaults are filled in.
 */
export function parseSweepSpec(value: unknown, source = 'sweep'): SweepSpec {
  const fail = (field: string, expected: string, found: unknown): never => {
    throw new TrainingError(`${source}: ${field} must be ${expected}, found ${describe(found)}`);
  };
  const root = object(value, 'the file', fail);
  known(root, ['name', 'base', 'parameters', 'budget', 'metric', 'pruning', 'seed', 'attempts'], '', fail);
  const name = root.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][\w.-]*$/.test(name))
    fail('name', 'a name of letters, digits, _ . - (it names folders and queue keys)', name);
  const base = object(root.base, 'base', fail);
  known(base, ['recipe', 'overrides'], 'base.', fail);
  if (typeof base.recipe !== 'string' || !base.recipe) fail('base.recipe', 'a recipe name', base.recipe);
  const overrides = base.overrides === undefined ? {} : object(base.overrides, 'base.overrides', fail);
  const parameters = object(root.parameters ?? {}, 'parameters', fail);
  const spaces: Record<string, ParameterSpace> = {};
  for (const [key, space] of Object.entries(parameters))
    spaces[key] = parameterSpace(space, `parameters.${key}`, fail);
  const budget = object(root.budget ?? {}, 'budget', fail);
  known(budget, ['trials', 'epochs', 'limit', 'testLimit', 'validationSplit'], 'budget.', fail);
  const int = (v: unknown, field: string, min: number) =>
    v === undefined
      ? undefined
      : Number.isInteger(v) && (v as number) >= min
        ? (v as number)
        : fail(field, `an integer ≥ ${min}`, v);
  const validationSplit = budget.validationSplit ?? 0.1;
  if (typeof validationSplit !== 'number' || !(validationSplit > 0 && validationSplit < 1))
    fail('budget.validationSplit', 'a number in (0, 1): the metric is measured on it', validationSplit);
  const metric = root.metric ?? 'val_acc';
  if (typeof metric !== 'string' || !(metric in SWEEP_METRICS))
    fail('metric', `one of ${Object.keys(SWEEP_METRICS).join(', ')}`, metric);
  const spec: SweepSpec = {
    name: name as string,
    base: { recipe: base.recipe as string, overrides: overrides as Record<string, ParameterValue> },
    parameters: spaces,
    budget: {
      trials: int(budget.trials, 'budget.trials', 1),
      epochs: int(budget.epochs, 'budget.epochs', 1),
      limit: int(budget.limit, 'budget.limit', 1),
      testLimit: int(budget.testLimit, 'budget.testLimit', 1),
      validationSplit: validationSplit as number,
    },
    metric: metric as SweepMetric,
    pruning: pruningRule(root.pruning ?? { rule: 'none' }, fail),
    seed: int(root.seed, 'seed', 0) ?? 42,
    attempts: int(root.attempts, 'attempts', 1) ?? 2,
  };
  const random = Object.entries(spaces).some(([, s]) => !('grid' in s) && !('list' in s));
  if (random && spec.budget.trials === undefined)
    fail('budget.trials', 'a number of trials when a parameter is drawn at random', undefined);
  const lists = Object.entries(spaces).filter(([, s]) => 'list' in s) as [string, { list: unknown[] }][];
  for (const [key, s] of lists)
    if (s.list.length !== lists[0]![1].list.length)
      fail(
        `parameters.${key}.list`,
        `${lists[0]![1].list.length} values, as long as parameters.${lists[0]![0]}.list`,
        s.list,
      );
  return spec;
}

function parameterSpace(value: unknown, field: string, fail: Fail): ParameterSpace {
  const space = object(value, field, fail);
  const kinds = Object.keys(space);
  if (kinds.length !== 1 || !SPACES.includes(kinds[0] as (typeof SPACES)[number]))
    fail(field, `an object with one of ${SPACES.join(', ')}`, value);
  const kind = kinds[0] as (typeof SPACES)[number];
  const values = space[kind];
  if (kind === 'uniform' || kind === 'logUniform') {
    const ok =
      Array.isArray(values) &&
      values.length === 2 &&
      values.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
      values[0] < values[1] &&
      (kind === 'uniform' || values[0] > 0);
    if (!ok)
      fail(`${field}.${kind}`, `[low, high] with ${kind === 'logUniform' ? '0 < ' : ''}low < high`, values);
  } else if (!Array.isArray(values) || values.length === 0) {
    fail(`${field}.${kind}`, 'a non-empty list of values', values);
  }
  if (
    field === 'parameters.seed' &&
    Array.isArray(values) &&
    values.some((v) => !Number.isInteger(v) || v < 0)
  )
    fail(`${field}.${kind}`, 'integers ≥ 0 (seeds)', values);
  return space as ParameterSpace;
}

function pruningRule(value: unknown, fail: Fail): PruningRule {
  const p = object(value, 'pruning', fail);
  if (!RULES.includes(p.rule as (typeof RULES)[number]))
    fail('pruning.rule', `one of ${RULES.join(', ')}`, p.rule);
  const positive = (v: unknown, field: string, min: number, dflt: number) =>
    v === undefined
      ? dflt
      : Number.isInteger(v) && (v as number) >= min
        ? (v as number)
        : fail(field, `an integer ≥ ${min}`, v);
  if (p.rule === 'asha') {
    known(p, ['rule', 'reductionFactor', 'minEpochs'], 'pruning.', fail);
    return {
      rule: 'asha',
      reductionFactor: positive(p.reductionFactor, 'pruning.reductionFactor', 2, DEFAULT_REDUCTION_FACTOR),
      minEpochs: positive(p.minEpochs, 'pruning.minEpochs', 1, 1),
    };
  }
  if (p.rule === 'median') {
    known(p, ['rule', 'warmupEpochs', 'minTrials'], 'pruning.', fail);
    return {
      rule: 'median',
      warmupEpochs: positive(p.warmupEpochs, 'pruning.warmupEpochs', 0, DEFAULT_MEDIAN.warmupEpochs),
      minTrials: positive(p.minTrials, 'pruning.minTrials', 1, DEFAULT_MEDIAN.minTrials),
    };
  }
  known(p, ['rule'], 'pruning.', fail);
  return { rule: 'none' };
}

type Fail = (field: string, expected: string, found: unknown) => never;

function object(value: unknown, field: string, fail: Fail): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(field, 'a JSON object', value);
  return value as Obj;
}

/** A misspelt field would silently do nothing: every field must be one the sweep knows. */
function known(value: Obj, fields: string[], prefix: string, fail: Fail): void {
  for (const key of Object.keys(value))
    if (!fields.includes(key))
      fail(`${prefix}${key}`, `absent (known fields: ${fields.join(', ')})`, value[key]);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
