import type { Rng } from '@fmnist/random';
import type { ImageBatch } from './image-batch.js';

/** A serializable description of a transform: how worker threads rebuild the same pipeline. */
export interface TransformSpec {
  type: string;
  options: Record<string, unknown>;
}

/** A random transform: a new batch from `batch`, each sample with its own draw from `rng`. */
export interface Transform {
  readonly name: string;
  readonly spec: TransformSpec;
  apply<T extends ImageBatch>(batch: T, rng: Rng): T;
}
