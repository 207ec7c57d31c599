import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { batchSeed } from '../augmenter.js';
import { compose } from '../compose.js';
import { AugmentError } from '../errors.js';
import { checkBatch, type ImageBatch } from '../image-batch.js';
import type { Transform } from '../transform.js';

export interface AugmentStreamOptions {
  /** Worker threads. Default: cores - 1 (at least 1), leaving one for training. */
  workers?: number;
  seed?: number;
  /** Batches augmented ahead of the consumer. Default 2 per worker. */
  prefetch?: number;
}

function workerSource(): { script: string; eval: boolean; execArgv?: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // Running from sources (tests): register tsx in the worker, then load the TypeScript worker.
    const tsx = pathToFileURL(
      createRequire(import.meta.url)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const source = new URL('./stream-worker.ts', import.meta.url).href;
    return {
      script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); });`,
      eval: true,
      // Resolve @fmnist/* to their sources too, as the tests' own imports do (no build needed).
      execArgv: [...process.execArgv, '--conditions=fmnist-source'],
    };
  }
  const file = fileURLToPath(
    new URL(`./stream-worker.${here.endsWith('.cjs') ? 'cjs' : 'js'}`, import.meta.url),
  );
  if (!existsSync(file)) throw new AugmentError(`augmentStream: worker script missing at ${file}`);
  return { script: file, eval: false };
}

/**
 * Augments `batches` in worker threads, `prefetch` batches ahead, yielding them in order. Batch i is
 * augmented with `batchSeed(seed, i)`: the output does not depend on the number of workers. Fields
 * other than `data` and `shape` (labels, ids) stay with their batch.
 */
export async function* augmentStream<T extends ImageBatch>(
  batches: Iterable<T> | AsyncIterable<T>,
  pipeline: Transform | readonly Transform[],
  options: AugmentStreamOptions = {},
): AsyncGenerator<T> {
  const count = options.workers ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isInteger(count) || count < 1)
    throw new AugmentError(`augmentStream: workers must be a positive integer, got ${count}`);
  const prefetch = options.prefetch ?? 2 * count;
  if (!Number.isInteger(prefetch) || prefetch < 1)
    throw new AugmentError(`augmentStream: prefetch must be a positive integer, got ${prefetch}`);
  const seed = options.seed ?? 0;
  const spec = (Array.isArray(pipeline) ? compose(...pipeline) : (pipeline as Transform)).spec;
  const source = workerSource();
  const workers = Array.from(
    { length: count },
    () =>
      new Worker(source.script, {
        eval: source.eval,
        ...(source.execArgv ? { execArgv: source.execArgv } : {}),
      }),
  );
  const waiting = new Map<number, { resolve: (b: ImageBatch) => void; reject: (e: Error) => void }>();
  for (const worker of workers) {
    worker.postMessage({ spec });
    worker.on('message', (m: { id: number; batch?: ImageBatch; error?: string }) => {
      const entry = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) entry?.reject(new AugmentError(`augmentStream worker: ${m.error}`));
      else entry?.resolve(m.batch!);
    });
    worker.on('error', (error) => {
      for (const entry of waiting.values()) entry.reject(error);
      waiting.clear();
    });
  }
  const inFlight: Promise<T>[] = [];
  let index = 0;
  const submit = (batch: T) => {
    checkBatch(batch, 'augmentStream', `batch ${index} data`);
    const id = index++;
    const copy = { data: batch.data.slice(), shape: [...batch.shape] as ImageBatch['shape'] };
    inFlight.push(
      new Promise<T>((resolve, reject) => {
        waiting.set(id, {
          resolve: (out) => resolve({ ...batch, data: out.data, shape: out.shape }),
          reject,
        });
        workers[id % count]!.postMessage({ id, batch: copy, seed: batchSeed(seed, id) }, [
          copy.data.buffer as ArrayBuffer,
        ]);
      }),
    );
  };
  try {
    for await (const batch of batches as AsyncIterable<T>) {
      submit(batch);
      if (inFlight.length >= prefetch) yield await inFlight.shift()!;
    }
    while (inFlight.length > 0) yield await inFlight.shift()!;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
