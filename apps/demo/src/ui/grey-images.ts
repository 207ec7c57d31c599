/** Draws `count` 28x28 grey images (bytes, row-major) side by side into `canvas`, resized to fit them. */
export function drawGreyImages(canvas: HTMLCanvasElement, images: Uint8Array, count: number): void {
  canvas.width = 28 * count;
  canvas.height = 28;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(28 * count, 28);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const v = images[n * 784 + y * 28 + x]!;
        image.data.set([v, v, v, 255], (y * 28 * count + n * 28 + x) * 4);
      }
  context.putImageData(image, 0, 0);
}
