import { describe, expect, it } from 'vitest';
import { applyOverrides, expandTrials } from './expand-trials.js';
import { shouldPrune } from './pruning.js';
import { rankTrials } from './rank-trials.js';
import { parseSweepSpec } from './sweep-spec.js';

const minimal = { name: 'lr', base: { recipe: 'quick' } };

describe('parseSweepSpec', () => {
  it('fills in defaults', () => {
    expect(parseSweepSpec(minimal)).toMatchObject({
      budget: { validationSplit: 0.1 },
      metric: 'val_acc',
      pruning: { rule: 'none' },
      seed: 42,
      attempts: 2,
    });
    expect(parseSweepSpec({ ...minimal, pruning: { rule: 'asha' } }).pruning).toEqual({
      rule: 'asha',
      reductionFactor: 3,
      minEpochs: 1,
    });
  });

  it('names the field, what it expected and what it found', () => {
    const bad: [unknown, string][] = [
      [[], 'f.json: the file must be a JSON object, found []'],
      [{ ...minimal, name: 'a b' }, 'f.json: name must be a name of letters'],
      [{ ...minimal, base: { recipe: 3 } }, 'f.json: base.recipe must be a recipe name, found 3'],
      [{ ...minimal, budget: { epoch: 2 } }, 'f.json: budget.epoch must be absent (known fields: trials'],
      [{ ...minimal, budget: { trials: 0 } }, 'f.json: budget.trials must be an integer ≥ 1, found 0'],
      [{ ...minimal, metric: 'acc' }, 'f.json: metric must be one of val_acc, val_loss, found "acc"'],
      [
        { ...minimal, parameters: { lr: { range: [1, 2] } } },
        'f.json: parameters.lr must be an object with one of grid',
      ],
      [
        { ...minimal, parameters: { lr: { logUniform: [0, 1] } } },
        'f.json: parameters.lr.logUniform must be [low, high] with 0 < low < high',
      ],
      [
        { ...minimal, parameters: { seed: { grid: [1.5] } } },
        'f.json: parameters.seed.grid must be integers ≥ 0',
      ],
      [
        { ...minimal, parameters: { lr: { choice: [1, 2] } } },
        'f.json: budget.trials must be a number of trials',
      ],
      [
        { ...minimal, parameters: { a: { list: [1, 2] }, b: { list: [1] } } },
        'f.json: parameters.b.list must be 2 values',
      ],
      [
        { ...minimal, pruning: { rule: 'hyperband' } },
        'f.json: pruning.rule must be one of none, asha, median, found "hyperband"',
      ],
      [{ ...minimal, pruning: { rule: 'median', warmup: 1 } }, 'f.json: pruning.warmup must be absent'],
    ];
    for (const [value, message] of bad) expect(() => parseSweepSpec(value, 'f.json')).toThrow(message);
  });
});

describe('expandTrials', () => {
  it('crosses grids, zips lists, draws random values reproducibly per trial', () => {
    const spec = parseSweepSpec({
      ...minimal,
      parameters: {
        lr: { grid: [1e-3, 3e-3] },
        labelSmoothing: { list: [0, 0.1] },
        seed: { list: [1, 2] },
        'optimizer.weightDecay': { logUniform: [1e-4, 1e-2] },
      },
      budget: { trials: 5 },
    });
    const trials = expandTrials(spec);
    expect(trials.map((t) => [t.id, t.values.lr, t.values.labelSmoothing, t.seed])).toEqual([
      ['t000', 1e-3, 0, 1],
      ['t001', 1e-3, 0.1, 2],
      ['t002', 3e-3, 0, 1],
      ['t003', 3e-3, 0.1, 2],
      ['t004', 1e-3, 0, 1],
    ]);
    const decays = trials.map((t) => t.values['optimizer.weightDecay'] as number);
    for (const d of decays) {
      expect(d).toBeGreaterThanOrEqual(1e-4);
      expect(d).toBeLessThan(1e-2);
    }
    expect(new Set(decays).size).toBe(5);
    expect(expandTrials({ ...spec, budget: { ...spec.budget, trials: 7 } })[3]).toEqual(trials[3]);
    expect(expandTrials(parseSweepSpec({ ...minimal, seed: 7 }))).toEqual([
      { id: 't000', index: 0, values: {}, seed: 7 },
    ]);
  });

  it('sets dotted paths on a copy and refuses paths the recipe lacks', () => {
    const recipe = { labelSmoothing: 0.1, optimizer: { learningRate: 1 }, augment: { type: 'none' } };
    const out = applyOverrides(recipe, { 'optimizer.learningRate': 2, augment: { type: 'shiftFlip' } });
    expect(out).toEqual({
      labelSmoothing: 0.1,
      optimizer: { learningRate: 2 },
      augment: { type: 'shiftFlip' },
    });
    expect(recipe.optimizer.learningRate).toBe(1);
    expect(() => applyOverrides(recipe, { labelSmothing: 0 })).toThrow(
      'the recipe has no field labelSmothing',
    );
    expect(() => applyOverrides(recipe, { 'labelSmoothing.x': 0 })).toThrow(
      'labelSmoothing is not an object',
    );
  });
});

describe('shouldPrune', () => {
  const curves = (...values: number[][]) => values.map((v) => ({ values: v, complete: true }));

  it('asha keeps the top 1/η at each rung epoch, and decides nothing between rungs', () => {
    const asha = { rule: 'asha', reductionFactor: 2, minEpochs: 1 } as const;
    const others = curves([0.8, 0.85], [0.6, 0.7], [0.7, 0.72]);
    expect(shouldPrune(asha, 'val_acc', [0.75], others)).toEqual({ prune: false });
    expect(shouldPrune(asha, 'val_acc', [0.65], others).prune).toBe(true);
    expect(shouldPrune(asha, 'val_loss', [0.65], others).prune).toBe(false);
    expect(shouldPrune({ ...asha, minEpochs: 2 }, 'val_acc', [0.1], others).prune).toBe(false);
    expect(shouldPrune(asha, 'val_acc', [0.1], []).prune).toBe(false);
  });

  it('median compares the best so far with finished trials after the warm-up', () => {
    const median = { rule: 'median', warmupEpochs: 1, minTrials: 2 } as const;
    const others = curves([0.5, 0.8], [0.5, 0.6]);
    expect(shouldPrune(median, 'val_acc', [0.1], others).prune).toBe(false);
    expect(shouldPrune(median, 'val_acc', [0.72, 0.69], others).prune).toBe(false);
    expect(shouldPrune(median, 'val_acc', [0.6, 0.65], others)).toMatchObject({ prune: true });
    expect(shouldPrune(median, 'val_acc', [0.6, 0.65], others.slice(1)).prune).toBe(false);
    expect(
      shouldPrune(median, 'val_acc', [0.6, 0.65], [{ values: [1, 1], complete: false }, ...others]).prune,
    ).toBe(true);
  });
});

it('rankTrials: complete by metric, then pruned, then failed', () => {
  const r = (id: string, status: 'complete' | 'pruned' | 'failed', metric: number) => ({
    id,
    status,
    metric,
  });
  const ranked = rankTrials(
    [r('a', 'failed', Number.NaN), r('b', 'pruned', 0.9), r('c', 'complete', 0.7), r('d', 'complete', 0.8)],
    'val_acc',
  );
  expect(ranked.map((x) => x.id)).toEqual(['d', 'c', 'b', 'a']);
  expect(rankTrials([r('c', 'complete', 0.7), r('d', 'complete', 0.8)], 'val_loss').map((x) => x.id)).toEqual(
    ['c', 'd'],
  );
});
