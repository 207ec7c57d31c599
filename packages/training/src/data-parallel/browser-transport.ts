import { TrainingError } from '../errors.js';
import type { FromWorker } from './protocol.js';
import type { WorkerTransport } from './transport.js';

export interface WebWorkerTransportOptions {
  /**
   * Starts worker `index`; it must run this package's `browser-worker` script. Default: a module worker
   * from `new URL('./browser-worker.js', import.meta.url)`, the form Vite, webpack and Parcel bundle.
   */
  createWorker?: (index: number) => Worker;
}

/** The default worker: literal enough for bundlers to find and emit the worker script. */
function defaultWorker(): Worker {
  if (typeof Worker === 'undefined')
    throw new TrainingError('DataParallelTrainer: Web Workers are not available here (no global Worker)');
  return new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' });
}

/** Replicas on Web Workers. Errors and failed message decoding lose the worker; browsers report no exit. */
export function webWorkerTransport(options: WebWorkerTransportOptions = {}): WorkerTransport {
  const createWorker = options.createWorker ?? defaultWorker;
  return {
    kind: 'Web Workers',
    availableThreads: () => globalThis.navigator?.hardwareConcurrency || 1,
    spawn(index) {
      const worker = createWorker(index);
      return {
        postMessage: (message, transfer) => worker.postMessage(message, transfer),
        listen(listeners) {
          worker.addEventListener('message', (event: MessageEvent<FromWorker>) =>
            listeners.message(event.data),
          );
          worker.addEventListener('error', (event: ErrorEvent) => {
            event.preventDefault();
            const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
            listeners.error(new Error(`${event.message || 'the worker failed to load or crashed'}${where}`));
          });
          worker.addEventListener('messageerror', () =>
            listeners.error(new Error('a message from the worker could not be decoded')),
          );
        },
        terminate: async () => worker.terminate(),
      };
    },
  };
}
