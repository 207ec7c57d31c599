import { CLASS_NAMES } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { EXIT, UsageError } from '../../cli/exit-codes.js';
import { defineFlags, SHARED_FLAGS } from '../../cli/flags.js';

const FLAGS = defineFlags(
  {
    'data-dir': SHARED_FLAGS['data-dir'],
    'cache-dir': {
      type: 'string',
      value: 'DIR',
      help: 'where downloads and decompressed copies go (default: $XDG_CACHE_HOME/fmnist or ~/.cache/fmnist)',
      path: true,
    },
    'no-download': SHARED_FLAGS['no-download'],
    help: SHARED_FLAGS.help,
  },
  { positionals: true },
);

const USAGE = `Usage: fmnist-data <fetch|verify|info> [options]

  fetch    find or download Fashion-MNIST and say where it is
  verify   hash all four files again (ignoring remembered checks)
  info     counts, image size and class balance of both splits

${FLAGS.help()}`;

/** `fmnist-data`: find or download Fashion-MNIST, verify it, describe it. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = FLAGS.parse(argv);
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (!['fetch', 'verify', 'info'].includes(command))
    throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  let lastPercent = -1;
  const started = performance.now();
  const data = await loadFashionMnist({
    dataDir: values['data-dir'],
    cacheDir: values['cache-dir'],
    download: !values['no-download'],
    rehash: command === 'verify',
    onProgress: ({ file, receivedBytes, totalBytes }) => {
      const percent = totalBytes ? Math.floor((100 * receivedBytes) / totalBytes) : -1;
      if (percent !== lastPercent && percent % 10 === 0) console.error(`downloading ${file}: ${percent}%`);
      lastPercent = percent;
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(
    `Fashion-MNIST from ${data.source.dir} (${data.source.origin}), loaded and verified in ${seconds} s`,
  );
  if (command === 'info') {
    for (const [name, set] of Object.entries({ train: data.train, test: data.test })) {
      const perClass = new Array<number>(CLASS_NAMES.length).fill(0);
      for (const label of set.labels) perClass[label]! += 1;
      let sum = 0;
      for (const pixel of set.images) sum += pixel;
      console.log(
        `${name}: ${set.count} images of ${set.height}x${set.width}x${set.channels}, mean pixel ${(sum / set.images.length).toFixed(2)}`,
      );
      console.log(`  per class: ${CLASS_NAMES.map((c, i) => `${c} ${perClass[i]}`).join(', ')}`);
    }
  }
  return 0;
}
