import { AugmentError, imageDataGenerator } from '@fmnist/augment';
import { writePreview } from '@fmnist/augment/node';
import { takeSamples } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { EXIT, UsageError } from '../../cli/exit-codes.js';
import { defineFlags, integerFlag, numberFlag, SHARED_FLAGS } from '../../cli/flags.js';

const FLAGS = defineFlags(
  {
    out: { type: 'string', value: 'FILE', help: 'the PNG to write', default: 'preview.png', path: true },
    samples: { type: 'string', value: 'N', help: 'test images, one per row', default: '8' },
    augmentations: { type: 'string', value: 'N', help: 'augmented copies per image', default: '8' },
    seed: { type: 'string', value: 'N', help: 'seed of the random transforms', default: '0' },
    rotation: { type: 'string', value: 'DEG', help: 'rotationRange, degrees', default: '10' },
    shift: {
      type: 'string',
      value: 'F',
      help: 'widthShiftRange and heightShiftRange, fraction of the side',
      default: '0.1',
    },
    shear: { type: 'string', value: 'DEG', help: 'shearRange, degrees', default: '0' },
    zoom: { type: 'string', value: 'F', help: 'zoomRange', default: '0.1' },
    'fill-mode': {
      type: 'string',
      value: 'M',
      help: 'nearest | constant | reflect | wrap',
      default: 'nearest',
    },
    'horizontal-flip': { type: 'boolean', help: 'flip half of the images' },
    'data-dir': SHARED_FLAGS['data-dir'],
    'no-download': SHARED_FLAGS['no-download'],
    help: SHARED_FLAGS.help,
  },
  { positionals: true },
);

const USAGE = `Usage: fmnist-augment preview [options]

Writes a PNG grid: one Fashion-MNIST test image per row, then its augmentations (ImageDataGenerator options).
It previews on Fashion-MNIST only; for your own images, call writePreview() from @fmnist/augment/node.

${FLAGS.help()}`;

/** `fmnist-augment preview`: a PNG grid of Fashion-MNIST test images and their augmentations. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = FLAGS.parse(argv);
  if (values.help || positionals[0] !== 'preview') {
    console.log(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const transform = usage(() =>
    imageDataGenerator({
      rotationRange: numberFlag('rotation', values.rotation),
      widthShiftRange: numberFlag('shift', values.shift),
      heightShiftRange: numberFlag('shift', values.shift),
      shearRange: numberFlag('shear', values.shear),
      zoomRange: numberFlag('zoom', values.zoom),
      fillMode: values['fill-mode'] as never,
      horizontalFlip: values['horizontal-flip'] ?? false,
    }),
  );
  const { test } = await loadFashionMnist({ dataDir: values['data-dir'], download: !values['no-download'] });
  const set = takeSamples(test, integerFlag('samples', values.samples, 1)!);
  await writePreview(
    values.out,
    { data: set.images, shape: [set.count, set.height, set.width, 1] },
    transform,
    {
      augmentations: integerFlag('augmentations', values.augmentations, 1)!,
      seed: integerFlag('seed', values.seed, 0)!,
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
