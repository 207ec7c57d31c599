import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist } from './node/load.js';
import { CLASS_NAMES } from './spec.js';

const system = '/usr/share/datasets/fashion-mnist';
const available = Boolean(process.env.FASHION_MNIST_DIR) || existsSync(system);
if (!available) {
  console.warn(
    `SKIPPED real-data tests: Fashion-MNIST not in ${system} and FASHION_MNIST_DIR unset (CI installs it)`,
  );
}

describe.skipIf(!available)('real Fashion-MNIST', () => {
  it('has 60,000 + 10,000 verified images, 6,000 / 1,000 per class', async () => {
    const { train, test } = await loadFashionMnist({ download: false });
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    expect([train.height, train.width, train.channels]).toEqual([28, 28, 1]);
    for (const [set, perClass] of [
      [train, 6000],
      [test, 1000],
    ] as const) {
      const counts = new Array<number>(CLASS_NAMES.length).fill(0);
      for (const label of set.labels) counts[label]! += 1;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
  });
});
