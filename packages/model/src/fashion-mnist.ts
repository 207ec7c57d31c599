import type { ImageShape } from './image-shape.js';

/** Fashion-MNIST's images are 28x28 grey (github.com/zalandoresearch/fashion-mnist). */
export const IMAGE_SIZE = 28;

/** The input the shipped models take, and the picture conversion meant for them (see `toModelInput`). */
export const FASHION_MNIST_SHAPE: ImageShape = Object.freeze({
  height: IMAGE_SIZE,
  width: IMAGE_SIZE,
  channels: 1,
});

/**
 * The model's output order: Fashion-MNIST's labels (github.com/zalandoresearch/fashion-mnist, "Labels"),
 * the same list as `@fmnist/dataset`'s `CLASS_NAMES` (a test keeps them equal), kept here so that loading
 * a classifier does not need the dataset package.
 */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export function isFashionMnistShape({ height, width, channels }: ImageShape): boolean {
  return (
    height === FASHION_MNIST_SHAPE.height &&
    width === FASHION_MNIST_SHAPE.width &&
    channels === FASHION_MNIST_SHAPE.channels
  );
}
