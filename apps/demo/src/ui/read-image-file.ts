import { toModelInput } from '@fmnist/model';

/** An image file as the model sees it: grey, 28x28, inverted when its background is light. */
export async function readImageFile(file: File): Promise<Float32Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return toModelInput({ data, width: bitmap.width, height: bitmap.height, channels: 4 });
}
