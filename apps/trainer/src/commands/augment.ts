#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { AugmentError, imageDataGenerator } from '@fmnist/augment';
import { writePreview } from '@fmnist/augment/node';
import { takeSamples } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { EXIT, UsageError } from '../exit-codes.js';

const USAGE = `Usage: fmnist-augment preview [--out preview.png] [--samples 8] [--augmentations 8] [--seed 0]
    [--rotation DEG] [--shift F] [--shear DEG] [--zoom F] [--fill-mode nearest|constant|reflect|wrap]
    [--horizontal-flip] [--data-dir DIR] [--no-download]

Writes a PNG grid: one Fashion-MNIST test image per row, then its augmentations (ImageDataGenerator options).
It previews on Fashion-MNIST only; for your own images, call writePreview() from @fmnist/augment/node.`;

const number = (flag: string, value: string | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || value.trim() === '')
    throw new UsageError(`--${flag} must be a number, got '${value}'`);
  return n;
};

/** `fmnist-augment preview`: a PNG grid of Fashion-MNIST test images and their augmentations. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'preview.png' },
      samples: { type: 'string' },
      augmentations: { type: 'string' },
      seed: { type: 'string' },
      rotation: { type: 'string' },
      shift: { type: 'string' },
      shear: { type: 'string' },
      zoom: { type: 'string' },
      'fill-mode': { type: 'string' },
      'horizontal-flip': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'no-download': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'preview') {
    console.log(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const transform = usage(() =>
    imageDataGenerator({
      rotationRange: number('rotation', values.rotation, 10),
      widthShiftRange: number('shift', values.shift, 0.1),
      heightShiftRange: number('shift', values.shift, 0.1),
      shearRange: number('shear', values.shear, 0),
      zoomRange: number('zoom', values.zoom, 0.1),
      fillMode: (values['fill-mode'] ?? 'nearest') as never,
      horizontalFlip: values['horizontal-flip'],
    }),
  );
  const { test } = await loadFashionMnist({ dataDir: values['data-dir'], download: !values['no-download'] });
  const set = takeSamples(test, number('samples', values.samples, 8));
  await writePreview(
    values.out!,
    { data: set.images, shape: [set.count, set.height, set.width, 1] },
    transform,
    {
      augmentations: number('augmentations', values.augmentations, 8),
      seed: number('seed', values.seed, 0),
    },
  );
  console.log(`wrote ${values.out}`);
  return EXIT.ok;
}

/** The augmentation options come from flags: what the library rejects is a usage error. */
function usage<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof AugmentError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
