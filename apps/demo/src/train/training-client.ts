import type { FromTrainingWorker, ToTrainingWorker } from './protocol.js';

/**
 * The page's end of a training run: the worker that trains (which starts the gradient workers), its
 * messages to `onMessage`, and its death (an uncaught error, a failed load) as an `error` message.
 */
export class TrainingClient {
  private readonly worker: Worker;

  constructor(onMessage: (message: FromTrainingWorker) => void) {
    this.worker = new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module' });
    this.worker.addEventListener('message', (event: MessageEvent<FromTrainingWorker>) =>
      onMessage(event.data),
    );
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      onMessage({
        type: 'error',
        message: `the training worker died: ${event.message || 'no reason given'}`,
      });
    });
    this.worker.addEventListener('messageerror', () =>
      onMessage({ type: 'error', message: 'the training worker sent a message that could not be read' }),
    );
  }

  send(message: ToTrainingWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** Ends the worker and the gradient workers it started. */
  terminate(): void {
    this.worker.terminate();
  }
}
