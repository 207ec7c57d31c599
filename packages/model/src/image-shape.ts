/** One image as a model takes it: Keras's input shape without the batch axis, channels last. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Values per image: `height * width * channels`. */
export const valuesPerImage = ({ height, width, channels }: ImageShape): number => height * width * channels;

/** `32x32x3`, as error messages write a shape. */
export const formatShape = ({ height, width, channels }: ImageShape): string =>
  `${height}x${width}x${channels}`;
