import { readFile } from 'node:fs/promises';
import { RECIPES, type Recipe } from '@fmnist/model';
import { TrainingError } from '@fmnist/training';
import {
  applyOverrides,
  expandTrials,
  type ParameterValue,
  parseSweepSpec,
  type SweepSpec,
  type TrialPlan,
} from '@fmnist/training/sweeps';
import { UsageError } from '../../cli/exit-codes.js';

/** A trial with the whole recipe it trains. */
export interface SweepTrial extends TrialPlan {
  recipe: Recipe;
}

export interface SweepPlan {
  spec: SweepSpec;
  trials: SweepTrial[];
}

/**
 * Reads and checks a sweep file and builds every trial's recipe; any problem is a `UsageError` naming the
 * file and the field, before anything trains.
 */
export async function loadSweepPlan(path: string): Promise<SweepPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read the sweep file (${(error as Error).message})`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not JSON (${(error as Error).message})`, { cause: error });
  }
  try {
    return planSweep(parseSweepSpec(json, path), path);
  } catch (error) {
    if (error instanceof TrainingError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** Every trial's recipe: the base recipe, the sweep's overrides, the trial's values, the budget. */
export function planSweep(spec: SweepSpec, source = 'sweep'): SweepPlan {
  const base = RECIPES[spec.base.recipe];
  if (!base)
    throw new UsageError(
      `${source}: base.recipe must be one of ${Object.keys(RECIPES).join(', ')}, found "${spec.base.recipe}"`,
    );
  const trials = expandTrials(spec).map((plan) => {
    const recipe = withLearningRate(
      applyOverrides(base, withoutLr(spec.base.overrides)),
      spec.base.overrides,
    );
    const trial = withLearningRate(applyOverrides(recipe, withoutLr(plan.values)), plan.values);
    trial.epochs = spec.budget.epochs ?? trial.epochs;
    trial.validationSplit = spec.budget.validationSplit;
    return { ...plan, recipe: trial };
  });
  return { spec, trials };
}

/**
 * `lr` is the peak learning rate as fmnist-train's `--lr` means it: the optimizer's rate and, under a
 * one-cycle schedule, the schedule's peak (which is what the optimizer then follows).
 */
function withLearningRate(recipe: Recipe, values: Record<string, ParameterValue>): Recipe {
  const lr = values.lr;
  if (lr === undefined) return recipe;
  if (typeof lr !== 'number' || !(lr > 0))
    throw new TrainingError(`parameter lr: expected a positive number, found ${JSON.stringify(lr)}`);
  recipe.optimizer.learningRate = lr;
  if (recipe.schedule.type === 'oneCycle') recipe.schedule.maxLR = lr;
  return recipe;
}

function withoutLr(values: Record<string, ParameterValue>): Record<string, ParameterValue> {
  const { lr: _, ...rest } = values;
  return rest;
}
