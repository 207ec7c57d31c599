import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  CNN_MLP_MODEL_BN_TRAINABLE_PARAMS,
  CNN_MLP_MODEL_PARAMS,
  createSeedModel,
  SEED_MODEL_BN_TRAINABLE_PARAMS,
  SEED_MODEL_PARAMS,
} from './cnn-mlp-model.js';
import { createModel } from './create-model.js';
import { shippedWeightsFolder } from './load-classifier.js';
import {
  architectureOf,
  CNN_MLP_BN_RECIPE,
  RECIPES,
  REPORT_RECIPE,
  SEED_BN_RECIPE,
  SEED_RECIPE,
} from './recipes.js';

// Each former name warns the first time it is used in a process: the tests below each use a name of
// their own, in order, so the once is observable here.
describe('the names renamed from seed', () => {
  let spy: MockInstance<typeof console.warn>;
  // Ours only: tfjs warns too, the first time a backend starts.
  const warnings = () =>
    spy.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('@fmnist/model: '));
  beforeEach(() => {
    spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => spy.mockRestore());

  it("accept architecture 'seed' as cnn-mlp everywhere an architecture is named, warning once", () => {
    const model = createModel('seed');
    expect(model.countParams()).toBe(CNN_MLP_MODEL_PARAMS);
    model.dispose();
    expect(architectureOf({ architecture: 'seed' })).toBe('cnn-mlp');
    expect(shippedWeightsFolder({ architecture: 'seed', weights: 'uint8' })).toBe('cnn-mlp-uint8');
    expect(warnings()).toEqual([
      "@fmnist/model: architecture 'seed' is deprecated; use architecture 'cnn-mlp' (the old name goes in a later release)",
    ]);
  });

  it('look up the recipes seed and seed-bn as report and cnn-mlp-bn, each warning once, unlisted', () => {
    expect(RECIPES.seed).toBe(REPORT_RECIPE);
    expect(RECIPES.seed).toBe(REPORT_RECIPE);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain("recipe 'seed' is deprecated; use 'report'");
    expect(RECIPES['seed-bn']).toBe(CNN_MLP_BN_RECIPE);
    expect(RECIPES['seed-bn']).toBe(CNN_MLP_BN_RECIPE);
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toContain("recipe 'seed-bn' is deprecated; use 'cnn-mlp-bn'");
    expect(Object.keys(RECIPES)).toEqual(['report', 'cnn-mlp-bn', 'vgg', 'quick']);
    expect([REPORT_RECIPE.name, CNN_MLP_BN_RECIPE.name]).toEqual(['report', 'cnn-mlp-bn']);
  });

  it('keep the old exports: createSeedModel builds the CNN-MLP, warning once; the constants are the new ones', () => {
    const [a, b] = [createSeedModel({ batchNorm: true }), createSeedModel()];
    expect(a.countParams()).toBe(CNN_MLP_MODEL_BN_TRAINABLE_PARAMS + 2 * (32 + 64 + 64 + 128));
    expect(b.countParams()).toBe(CNN_MLP_MODEL_PARAMS);
    [a, b].forEach((m) => m.dispose());
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('createSeedModel is deprecated; use createCnnMlpModel');
    expect([SEED_MODEL_PARAMS, SEED_MODEL_BN_TRAINABLE_PARAMS]).toEqual([
      CNN_MLP_MODEL_PARAMS,
      CNN_MLP_MODEL_BN_TRAINABLE_PARAMS,
    ]);
    expect([SEED_RECIPE, SEED_BN_RECIPE]).toEqual([REPORT_RECIPE, CNN_MLP_BN_RECIPE]);
  });
});
