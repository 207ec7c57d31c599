import type { FromWorker, ToWorker } from './protocol.js';

/** What a replica's thread tells the trainer; `exit` only where the platform reports it (Node). */
export interface ReplicaListeners {
  message(message: FromWorker): void;
  /** The thread failed outside any request (an uncaught error): the replica is lost. */
  error(error: Error): void;
  /** The thread ended; `code` when the platform gives one. */
  exit(code?: number): void;
}

/** One replica's thread as the trainer sees it: a `worker_threads` Worker or a Web Worker. */
export interface ReplicaWorker {
  /** Sends `message`, moving (not copying) the buffers in `transfer`. */
  postMessage(message: ToWorker, transfer: ArrayBuffer[]): void;
  /** Called once, right after `spawn`. */
  listen(listeners: ReplicaListeners): void;
  terminate(): Promise<void>;
}

/**
 * How the trainer starts its replicas: the only difference between Node (`worker_threads`) and browsers
 * (Web Workers). The trainer, the message protocol and the replica code are the same for both.
 */
export interface WorkerTransport {
  /** For messages: `worker_threads`, `Web Workers`. */
  readonly kind: string;
  /** Threads `workers: 'auto'` means (cores). */
  availableThreads(): number;
  /** Starts replica `index` (0-based) running the package's worker script. */
  spawn(index: number): ReplicaWorker;
}
