import type { TrainingBatch } from '@fmnist/training';
import type { ImagesMessage } from './protocol.js';

/** 28x28 grey images, as every ImageSet of Fashion-MNIST. */
export const IMAGE_SHAPE = { height: 28, width: 28, channels: 1 } as const;
const PIXELS = 28 * 28;

/** An ImageSet of the images the page sent. */
export function toImageSet({ images, labels, count }: ImagesMessage) {
  return { images, labels, count, ...IMAGE_SHAPE };
}

/** Images scaled to [0, 1] and one-hot labels, as the trainer takes held-out data. */
export function toTrainingBatch({ images, labels, count }: ImagesMessage): TrainingBatch {
  const x = new Float32Array(count * PIXELS);
  for (let i = 0; i < x.length; i++) x[i] = images[i]! / 255;
  const y = new Float32Array(count * 10);
  for (let i = 0; i < count; i++) y[i * 10 + labels[i]!] = 1;
  return { x, xShape: [count, 28, 28, 1], y, yShape: [count, 10] };
}
