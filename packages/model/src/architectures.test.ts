import '@tensorflow/tfjs-backend-cpu';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  type Architecture,
  MODEL_ARCHITECTURES,
  SHIPPED_ARCHITECTURES,
} from './architectures.js';
import { countTrainableParams } from './count-params.js';
import { createModel } from './create-model.js';
import { ClassifierError } from './errors.js';
import { shippedWeightsFolder } from './load-classifier.js';
import { shippedWeightsDir } from './node/load.js';
import { architectureOf } from './recipes.js';

const entries = MODEL_ARCHITECTURES.map((name) => [name, ARCHITECTURES[name] as Architecture] as const);

describe('the architecture registry', () => {
  it('lists its names in MODEL_ARCHITECTURES, each with a one-line description', () => {
    expect(MODEL_ARCHITECTURES).toEqual(Object.keys(ARCHITECTURES));
    expect(MODEL_ARCHITECTURES).toEqual(['cnn-mlp', 'vgg']);
    for (const [name, { description }] of entries) {
      expect(description, name).toMatch(/^[^\n]{10,140}$/);
    }
  });

  it.each(entries)('builds %s with the trainable parameters its constants state', async (name, entry) => {
    await tf.setBackend('cpu');
    const counts = Object.entries(entry.trainableParams);
    expect(counts.length, name).toBeGreaterThan(0);
    for (const [variant, count] of counts) {
      const model = createModel(name, { batchNorm: variant === 'batchNorm' });
      expect(countTrainableParams(model), `${name} ${variant}`).toBe(count);
      expect(model.outputs[0]!.shape).toEqual([null, 10]);
      model.dispose();
    }
  });

  it('builds each architecture with its own factory through createModel', () => {
    for (const [name, entry] of entries) {
      const [byName, direct] = [createModel(name, { seed: 3 }), entry.create({ seed: 3 })];
      expect(byName.layers.map((l) => l.name)).toEqual(direct.layers.map((l) => l.name));
      expect(byName.countParams()).toBe(direct.countParams());
      [byName, direct].forEach((m) => m.dispose());
    }
  });

  it('derives SHIPPED_ARCHITECTURES from the entries with weights, the one default first', () => {
    const shipped = entries.filter(([, entry]) => entry.shipped).map(([name]) => name);
    expect([...SHIPPED_ARCHITECTURES].sort()).toEqual([...shipped].sort());
    const defaults = entries.filter(([, entry]) => entry.shipped?.default).map(([name]) => name);
    expect(defaults).toEqual([SHIPPED_ARCHITECTURES[0]]);
    expect(SHIPPED_ARCHITECTURES).toEqual(['vgg', 'cnn-mlp']);
    expect(shippedWeightsFolder()).toBe('vgg');
  });

  it('has a folder for every shipped copy it lists, and lists every folder under weights/', () => {
    const folders = SHIPPED_ARCHITECTURES.flatMap((architecture) =>
      ARCHITECTURES[architecture].shipped.copies.map((weights) => {
        const dir = shippedWeightsDir({ architecture, weights });
        expect(existsSync(join(dir, 'model.json')), dir).toBe(true);
        return shippedWeightsFolder({ architecture, weights });
      }),
    );
    const weightsDir = dirname(shippedWeightsDir());
    expect(readdirSync(weightsDir).sort()).toEqual(folders.sort());
  });

  it('resolves the network of a recipe that names none to cnn-mlp', () => {
    expect(architectureOf(undefined)).toBe('cnn-mlp');
    expect(architectureOf({})).toBe('cnn-mlp');
    expect(architectureOf({ architecture: 'vgg' })).toBe('vgg');
  });

  it('refuses unknown names with a ClassifierError listing the known ones', () => {
    const unknown = 'resnet' as never;
    expect(() => createModel(unknown)).toThrow(ClassifierError);
    expect(() => createModel(unknown)).toThrow(
      "createModel: architecture must be one of cnn-mlp, vgg, got 'resnet'",
    );
    expect(() => architectureOf({ architecture: unknown })).toThrow(ClassifierError);
    expect(() => architectureOf({ architecture: unknown })).toThrow(
      "model.architecture must be one of cnn-mlp, vgg, got 'resnet'",
    );
    expect(() => shippedWeightsFolder({ architecture: unknown })).toThrow(ClassifierError);
    expect(() => shippedWeightsFolder({ architecture: unknown })).toThrow(
      "loadClassifier: architecture must be one of vgg, cnn-mlp, got 'resnet'",
    );
  });
});
