import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useBestBackend } from '@fmnist/backend';
import {
  type Classifier,
  countTrainableParams,
  loadClassifier,
  type Prediction,
  type TestTimeAugmentation,
  toModelInput,
} from '@fmnist/model';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const startedAt = performance.now();
let classifier: Classifier;
let firstPredictionMs: number | undefined;

/**
 * WASM served by this app (no CDN); SIMD when the browser has it, and @fmnist/backend's conv kernels
 * (with relaxed SIMD's fused multiply-add where the browser has it).
 */
async function startBackend(): Promise<string> {
  setWasmPaths(new URL('./wasm/', document.baseURI).href);
  try {
    const { kernels } = await useBestBackend('wasm', {
      log: null,
      importModule: () => import('@tensorflow/tfjs-backend-wasm'),
    });
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    document.body.dataset.convKernels = kernels?.build ?? 'off';
    return `WebAssembly backend, SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}, conv kernels: ${kernels?.build} (${kernels?.reason})`;
  } catch (error) {
    console.warn('wasm backend unavailable, using cpu', error);
  }
  await tf.setBackend('cpu');
  return 'plain JavaScript (cpu) backend: WebAssembly is unavailable here';
}

function showInput(pixels: Float32Array) {
  const canvas = $<HTMLCanvasElement>('input-preview');
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(28, 28);
  pixels.forEach((v, i) => {
    image.data.set([v * 255, v * 255, v * 255, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
}

let shown: { pixels: Float32Array; source: string } | undefined;

function showPredictions(pixels: Float32Array, source: string) {
  shown = { pixels, source };
  showInput(pixels);
  const tta = ($<HTMLSelectElement>('tta').value || false) as TestTimeAugmentation | false;
  const started = performance.now();
  const top = classifier.classify(pixels, { topK: 3, tta }) as Prediction[];
  const ms = performance.now() - started;
  firstPredictionMs ??= performance.now() - startedAt;
  const list = $('predictions');
  list.replaceChildren(
    ...top.map((p) => {
      const item = document.createElement('li');
      item.dataset.classIndex = String(p.classIndex);
      const percent = (100 * p.probability).toFixed(1);
      item.innerHTML = `<span class="name">${p.className}</span> <span class="p">${percent}%</span><div class="bar" style="width:${percent}%" role="img" aria-label="${percent} percent"></div>`;
      return item;
    }),
  );
  list.dataset.source = source;
  list.dataset.tta = tta || 'off';
  $('timing').textContent =
    `${source}: inference ${ms.toFixed(1)} ms · first prediction ${firstPredictionMs.toFixed(0)} ms after page load`;
  document.body.dataset.inferenceMs = ms.toFixed(2);
  document.body.dataset.firstPredictionMs = firstPredictionMs.toFixed(0);
}

async function buildGallery() {
  const [images, meta] = await Promise.all([
    fetch('./samples/test-images.bin').then((r) => r.arrayBuffer()),
    fetch('./samples/test-labels.json').then((r) => r.json() as Promise<{ labels: number[] }>),
  ]);
  const pixels = new Uint8Array(images);
  const gallery = $('gallery');
  meta.labels.forEach((label, index) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.index = String(index);
    button.dataset.label = String(label);
    button.setAttribute('aria-label', `Test image ${index + 1}: ${classifier.classNames[label]}`);
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    const context = canvas.getContext('2d')!;
    const image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++)
      image.data.set(
        [pixels[index * 784 + i]!, pixels[index * 784 + i]!, pixels[index * 784 + i]!, 255],
        i * 4,
      );
    context.putImageData(image, 0, 0);
    button.append(canvas);
    button.addEventListener('click', () => {
      gallery.querySelectorAll('[aria-pressed]').forEach((b) => b.removeAttribute('aria-pressed'));
      button.setAttribute('aria-pressed', 'true');
      showPredictions(
        Float32Array.from(pixels.subarray(index * 784, (index + 1) * 784), (v) => v / 255),
        `test image ${index + 1} (${classifier.classNames[label]})`,
      );
    });
    const item = document.createElement('li');
    item.append(button);
    gallery.append(item);
  });
  gallery.querySelector('button')?.click();
}

function setUpSketch() {
  const canvas = $<HTMLCanvasElement>('sketch');
  const context = canvas.getContext('2d')!;
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
  $('clear-sketch').addEventListener('click', clear);
  $('classify-sketch').addEventListener('click', () => {
    const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
    showPredictions(toModelInput({ data, width, height, channels: 4 }), 'drawing');
  });
}

function setUpUpload() {
  $<HTMLInputElement>('upload').addEventListener('change', async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      showPredictions(
        toModelInput({ data, width: bitmap.width, height: bitmap.height, channels: 4 }),
        `upload ${file.name}`,
      );
    } catch (error) {
      status.textContent = `Could not read ${file.name}: ${(error as Error).message}`;
    }
  });
}

async function start() {
  const backend = await startBackend();
  classifier = await loadClassifier({ model: new URL('./model/model.json', document.baseURI).href });
  const provenance = await fetch('./model/provenance.json').then(
    (r) => r.json() as Promise<{ testAccuracy: number }>,
  );
  status.textContent = `Running on the ${backend}. Model: ${countTrainableParams(classifier.model).toLocaleString('en')} trainable parameters, ${(100 * provenance.testAccuracy).toFixed(2)}% on the test set.`;
  document.body.dataset.backend = tf.getBackend();
  setUpSketch();
  setUpUpload();
  $('tta').addEventListener('change', () => {
    if (shown) showPredictions(shown.pixels, shown.source);
  });
  await buildGallery();
  document.body.dataset.ready = 'true';
}

start().catch((error: Error) => {
  status.textContent = `Failed to start: ${error.message}`;
  console.error(error);
});
