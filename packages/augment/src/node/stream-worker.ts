import { parentPort } from 'node:worker_threads';
import { createAugmenter } from '../augmenter.js';
import { transformFromSpec } from '../from-spec.js';
import type { ImageBatch } from '../image-batch.js';
import type { TransformSpec } from '../transform.js';

// Augments the batches it is sent with the pipeline it was started with; replies in kind.
const port = parentPort!;
let spec: TransformSpec | undefined;
port.on('message', (message: { spec?: TransformSpec; id?: number; batch?: ImageBatch; seed?: number }) => {
  try {
    if (message.spec) {
      spec = message.spec;
      transformFromSpec(spec);
      return;
    }
    const augment = createAugmenter(transformFromSpec(spec!), { seed: message.seed });
    const out = augment(message.batch!);
    port.postMessage({ id: message.id, batch: out }, [out.data.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ id: message.id, error: String((error as Error)?.message ?? error) });
  }
});
