import { existsSync } from 'node:fs';
import { useBestBackend } from '@fmnist/backend';
import { loadFashionMnist } from '@fmnist/dataset/node';
import type { ShippedArchitecture, ShippedWeights } from '@fmnist/model';
import { loadClassifier } from '@fmnist/model/node';
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../to-onnx.js';
import { agreement, runOnnx } from './onnx-runtime.js';

const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);

/**
 * One shipped copy, exported, against tfjs (WASM) on the 10,000 test images: the bar is the same
 * top-1 class on ≥ 99.9% and probabilities within 1e-4. One file per copy keeps each test file well under a
 * minute (tfjs's pass over the test set is most of it).
 */
export function describeShippedParity(architecture: ShippedArchitecture, weights: ShippedWeights): void {
  if (!hasData)
    console.warn(
      `SKIPPED the ONNX Runtime parity of ${architecture} ${weights}: Fashion-MNIST not installed (CI installs it)`,
    );
  describe.skipIf(!hasData)(`the shipped ${architecture} ${weights} model in ONNX Runtime`, () => {
    it("gives tfjs's top-1 class on ≥ 99.9% of the 10,000 test images, probabilities within 1e-4", async () => {
      await useBestBackend('wasm', { log: null });
      const { test } = await loadFashionMnist({ download: false });
      const classifier = await loadClassifier({ architecture, weights });
      const ours = classifier.predict(test.images, { batchSize: 1000 }).probabilities;
      const pixels = Float32Array.from(test.images, (v) => v / 255);
      const theirs = await runOnnx(toOnnx(classifier.model), pixels, [28, 28, 1]);
      classifier.dispose();
      const { sameTop1, maxDiff } = agreement(ours, theirs, 10);
      expect(sameTop1).toBeGreaterThanOrEqual(0.999);
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
      // About 20-30 s alone; a shared machine has taken over a minute.
    }, 180_000);
  });
}
