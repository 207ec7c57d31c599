import type { Rng } from '@fmnist/dataset';
import type { ImageBatch } from './image-batch.js';

/** A random transform: a new batch from `batch`, each sample with its own draw from `rng`. */
export interface Transform {
  readonly name: string;
  apply<T extends ImageBatch>(batch: T, rng: Rng): T;
}
