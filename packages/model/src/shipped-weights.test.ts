import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import { CLASS_NAMES } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, SHIPPED_ARCHITECTURES } from './architectures.js';
import { countTrainableParams } from './count-params.js';
import { loadClassifier, shippedWeightsDir } from './node/load.js';
import { architectureOf } from './recipes.js';
import { testSetAccuracy } from './testing/test-set-accuracy.js';

const copies = SHIPPED_ARCHITECTURES.flatMap((architecture) =>
  ARCHITECTURES[architecture].shipped.copies.map((weights) => {
    const dir = shippedWeightsDir({ architecture, weights });
    return { architecture, weights, dir };
  }),
);
const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
if (!hasData)
  console.warn('SKIPPED the shipped-weights accuracy tests: Fashion-MNIST not installed (CI installs it)');

describe.each(copies)('the shipped $architecture $weights weights', ({ architecture, weights, dir }) => {
  it('match the SHA-256 in their provenance, which records how they were made', async () => {
    const provenance = JSON.parse(await readFile(join(dir, 'provenance.json'), 'utf8'));
    const sha = createHash('sha256')
      .update(await readFile(join(dir, 'weights.bin')))
      .digest('hex');
    expect(sha).toBe(provenance.weightsSha256);
    for (const key of [
      'command',
      'recipe',
      'epochs',
      'seed',
      'backend',
      'trainSeconds',
      'testAccuracy',
      'parameters',
      'date',
    ]) {
      expect(provenance, key).toHaveProperty(key);
    }
    expect(architectureOf(provenance.recipe.model)).toBe(architecture);
    if (weights === 'uint8') {
      // A quarter of the float32 bytes, quantized from exactly the float32 weights shipped beside it.
      const float32Dir = shippedWeightsDir({ architecture });
      const float32 = JSON.parse(await readFile(join(float32Dir, 'provenance.json'), 'utf8'));
      expect(provenance.float32.weightsSha256).toBe(float32.weightsSha256);
      expect((await readFile(join(dir, 'weights.bin'))).length).toBe(float32.parameters);
    }
  });

  it.skipIf(!hasData)(
    'reach their provenance accuracy on the real test set',
    async () => {
      await useBestBackend('wasm', { log: null });
      const provenance = JSON.parse(await readFile(join(dir, 'provenance.json'), 'utf8'));
      const classifier = await loadClassifier({ architecture, weights });
      expect(classifier.model.countParams()).toBe(provenance.parameters);
      // The report's budget: under 300,000 trainable parameters.
      expect(countTrainableParams(classifier.model)).toBeLessThan(300_000);
      const { test } = await loadFashionMnist({ download: false });
      const { report } = await evaluateClassifier(classifier.model, test, test.labels, {
        classNames: CLASS_NAMES,
      });
      expect(report.accuracy).toBeCloseTo(provenance.testAccuracy, 4);
      classifier.dispose();
    },
    180_000,
  );
});

describe('test-time augmentation with the shipped weights', () => {
  const { dir } = copies[0]!;
  it.skipIf(!hasData)(
    'classifies more of the real test set right than one pass does',
    async () => {
      await useBestBackend('wasm', { log: null });
      const classifier = await loadClassifier();
      const { test } = await loadFashionMnist({ download: false });
      const single = testSetAccuracy(classifier, test);
      const provenance = JSON.parse(await readFile(join(dir, 'provenance.json'), 'utf8'));
      expect(single).toBeCloseTo(provenance.testAccuracy, 4);
      // The mirror view alone (two views: the cheaper mode) already helps; pnpm bench measures both modes.
      expect(testSetAccuracy(classifier, test, 'flip')).toBeGreaterThan(single);
      classifier.dispose();
    },
    300_000,
  );
});
