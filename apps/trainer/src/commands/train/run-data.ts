import { type ImageSet, splitValidation, takeSamples } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import type { RunConfig } from './config.js';

interface RunData {
  train: ImageSet;
  /** Held out of `train` when the recipe asks for a validation split. */
  validation?: ImageSet;
  test: ImageSet;
}

/** The run's data: found or downloaded and verified, limited (`--limit`, `--test-limit`) and split as the config says. */
export async function loadRunData(config: RunConfig): Promise<RunData> {
  const data = await loadFashionMnist({
    dataDir: config.dataDir,
    onlyDataDir: Boolean(config.dataDir),
    download: config.download,
  });
  console.log(
    `data: ${data.train.count} train / ${data.test.count} test images from ${data.source.dir} (${data.source.origin})`,
  );
  const train = config.limit ? takeSamples(data.train, config.limit) : data.train;
  const test = config.testLimit ? takeSamples(data.test, config.testLimit) : data.test;
  const { validationSplit } = config.recipe;
  if (validationSplit > 0) return { ...splitValidation(train, validationSplit, { seed: config.seed }), test };
  return { train, test };
}
