import { toModelInput } from '@fmnist/model';

/** A canvas to draw on in white over black (mouse, touch or pen). */
export interface SketchPad {
  clear(): void;
  /** The drawing as the model sees it: 28x28 grey values in [0, 1]. */
  modelInput(): Float32Array;
}

export function sketchPad(canvas: HTMLCanvasElement): SketchPad {
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  let drawing = false;
  const point = (e: PointerEvent) => {
    const rect = canvas.getBoundingClientRect();
    return [
      ((e.clientX - rect.left) * canvas.width) / rect.width,
      ((e.clientY - rect.top) * canvas.height) / rect.height,
    ] as const;
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = point(e);
    context.beginPath();
    context.moveTo(x, y);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const [x, y] = point(e);
    context.lineTo(x, y);
    context.strokeStyle = '#fff';
    context.lineWidth = 22;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.stroke();
  });
  canvas.addEventListener('pointerup', () => {
    drawing = false;
  });
  return {
    clear,
    modelInput() {
      const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
      return toModelInput({ data, width, height, channels: 4 });
    },
  };
}
