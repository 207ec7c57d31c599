import { createRng, mixSeed } from '@fmnist/random';
import { TrainingError } from '../errors.js';
import type { ParameterValue, SweepSpec } from './sweep-spec.js';

/** One trial of a sweep: its id (`t000`, ...), the values it gives each parameter, and its seed. */
export interface TrialPlan {
  id: string;
  index: number;
  /** Parameter (dotted recipe path) → value; `seed` is taken out into `seed`. */
  values: Record<string, ParameterValue>;
  seed: number;
}

/**
 * The sweep's trials, the same on every machine for the same file: the grid points crossed with the list
 * entries, repeated (with fresh random draws) until `budget.trials`; random parameters drawn from the
 * sweep's seed mixed with the trial's index, so trial 5 has the same values whether or not 0–4 ran.
 */
export function expandTrials(spec: SweepSpec): TrialPlan[] {
  const entries = Object.entries(spec.parameters);
  let points: Record<string, ParameterValue>[] = [{}];
  for (const [key, space] of entries) {
    if ('grid' in space) points = points.flatMap((p) => space.grid.map((v) => ({ ...p, [key]: v })));
  }
  const lists = entries.filter(([, s]) => 'list' in s) as [string, { list: ParameterValue[] }][];
  const listLength = lists[0]?.[1].list.length ?? 1;
  const combos = points.flatMap((point) =>
    Array.from({ length: listLength }, (_, i) => ({
      ...point,
      ...Object.fromEntries(lists.map(([key, s]) => [key, s.list[i]!])),
    })),
  );
  const count = spec.budget.trials ?? combos.length;
  return Array.from({ length: count }, (_, index) => {
    const rng = createRng(mixSeed(spec.seed, index));
    const values: Record<string, ParameterValue> = { ...combos[index % combos.length]! };
    for (const [key, space] of entries) {
      if ('choice' in space) values[key] = space.choice[rng.int(space.choice.length)]!;
      else if ('uniform' in space) values[key] = rng.uniform(space.uniform[0], space.uniform[1]);
      else if ('logUniform' in space) {
        const [low, high] = space.logUniform;
        values[key] = Math.exp(rng.uniform(Math.log(low), Math.log(high)));
      }
    }
    const { seed, ...rest } = values;
    return {
      id: `t${String(index).padStart(3, '0')}`,
      index,
      values: rest,
      seed: typeof seed === 'number' ? seed : spec.seed,
    };
  });
}

/**
 * `target` with `values` set at their dotted paths (`optimizer.weightDecay`), as a deep copy. A path
 * through something that is not an object is a `TrainingError` naming it (a typo would else add a field
 * nothing reads: so every path must lead to an existing field, or to a new one in an existing object).
 */
export function applyOverrides<T extends object>(target: T, values: Record<string, ParameterValue>): T {
  const copy = structuredClone(target) as Record<string, unknown>;
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.');
    let node: Record<string, unknown> = copy;
    for (const [i, key] of keys.slice(0, -1).entries()) {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next))
        throw new TrainingError(
          `parameter ${path}: ${keys.slice(0, i + 1).join('.')} is not an object of the recipe (found ${JSON.stringify(next)})`,
        );
      node = next as Record<string, unknown>;
    }
    const last = keys.at(-1)!;
    if (keys.length === 1 && !(last in copy))
      throw new TrainingError(`parameter ${path}: the recipe has no field ${last}`);
    node[last] = structuredClone(value);
  }
  return copy as T;
}
