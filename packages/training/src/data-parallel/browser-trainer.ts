import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type WebWorkerTransportOptions, webWorkerTransport } from './browser-transport.js';
import { type DataParallelOptions, startTrainer, DataParallelTrainer as Trainer } from './trainer.js';

/** Options of the browser trainer: Node's, plus how a Web Worker is made. */
export interface BrowserDataParallelOptions extends DataParallelOptions, WebWorkerTransportOptions {}

/**
 * The data-parallel trainer on Web Workers. The page's thread computes no shard by default
 * (`localShard: false`): it averages the gradients and applies the update, so the page stays responsive.
 * Everything but `create` is the shared {@link Trainer}.
 */
export class DataParallelTrainer extends Trainer {
  static override async create(
    model: LayersModel,
    options: BrowserDataParallelOptions = {},
  ): Promise<DataParallelTrainer> {
    const { createWorker, ...rest } = options;
    const transport = () => webWorkerTransport(createWorker ? { createWorker } : {});
    return new DataParallelTrainer(await startTrainer(model, rest, { transport, localShard: false }));
  }
}
