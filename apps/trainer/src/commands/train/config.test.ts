import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import {
  CNN_MLP_BN_RECIPE,
  CNN_MLP_MODEL_BN_TRAINABLE_PARAMS,
  countTrainableParams,
  type Recipe,
} from '@fmnist/model';
import { buildAugmentation, buildModel } from '@fmnist/training/recipes';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { resolveConfig } from './config.js';

describe('recipes from flags', () => {
  it('--no-augment turns augmentation off, --augment back on, both together is an error', () => {
    expect(resolveConfig({ 'no-augment': true }).recipe.augment).toEqual({ type: 'none' });
    expect(buildAugmentation(resolveConfig({ 'no-augment': true }).recipe)).toEqual([]);
    expect(() => resolveConfig({ augment: true, 'no-augment': true })).toThrow(
      '--augment and --no-augment contradict each other',
    );
  });

  it('overrides recipe fields from flags', () => {
    const config = resolveConfig({
      recipe: 'cnn-mlp-bn',
      epochs: '5',
      'batch-size': '64',
      lr: '0.002',
      seed: '9',
      workers: '1',
    });
    expect(config.recipe).toMatchObject({
      name: 'cnn-mlp-bn',
      epochs: 5,
      batchSize: 64,
      schedule: { type: 'oneCycle', maxLR: 0.002 },
    });
    expect(config).toMatchObject({ seed: 9, workers: 1, backend: 'auto' });
  });
});

describe('the recipe and architecture names from before cnn-mlp, deprecated for one release', () => {
  it('still work, each saying once what its new name is: --recipe seed, seed-bn, model.architecture seed', async () => {
    await tf.setBackend('cpu');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const dir = await mkdtemp(join(tmpdir(), 'fmnist-build-'));
    try {
      expect(resolveConfig({ recipe: 'seed' }).recipe.name).toBe('report');
      expect(resolveConfig({ recipe: 'seed' }).recipe.name).toBe('report');
      expect(resolveConfig({ recipe: 'seed-bn' }).recipe).toEqual(CNN_MLP_BN_RECIPE);
      const config = join(dir, 'old.json');
      await writeFile(config, JSON.stringify({ model: { architecture: 'seed', batchNorm: true } }));
      expect(resolveConfig({ recipe: 'seed-bn', config }).recipe.model.architecture).toBe('seed');
      // A run started before the rename resumes from its config.json, whose recipe says seed-bn and seed.
      const saved: Recipe = {
        ...CNN_MLP_BN_RECIPE,
        name: 'seed-bn',
        model: { architecture: 'seed', batchNorm: true },
      };
      const model = buildModel(saved, 1);
      expect(countTrainableParams(model)).toBe(CNN_MLP_MODEL_BN_TRAINABLE_PARAMS);
      model.dispose();
      const ours = warn.mock.calls.map(([m]) => String(m)).filter((m) => m.startsWith('@fmnist/model: '));
      expect(ours).toHaveLength(3);
      expect(ours[0]).toContain("recipe 'seed' is deprecated; use 'report'");
      expect(ours[1]).toContain("recipe 'seed-bn' is deprecated; use 'cnn-mlp-bn'");
      expect(ours[2]).toContain("architecture 'seed' is deprecated; use architecture 'cnn-mlp'");
    } finally {
      warn.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
