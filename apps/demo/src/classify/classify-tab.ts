import type { Classifier, Prediction, TestTimeAugmentation } from '@fmnist/model';
import { drawGreyImages } from '../ui/grey-images.js';
import { readImageFile } from '../ui/read-image-file.js';
import { sketchPad } from '../ui/sketch-pad.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const startedAt = performance.now();

/** The Classify tab: gallery, drawing and upload through whichever classifier is in use. */
export class ClassifyTab {
  private shown: { pixels: Float32Array; source: string } | undefined;
  private firstPredictionMs: number | undefined;

  constructor(private classifier: Classifier) {
    const pad = sketchPad($('sketch'));
    $('clear-sketch').addEventListener('click', pad.clear);
    $('classify-sketch').addEventListener('click', () => this.show(pad.modelInput(), 'drawing'));
    $<HTMLInputElement>('upload').addEventListener('change', (event) => this.upload(event));
    $('tta').addEventListener('change', () => {
      if (this.shown) this.show(this.shown.pixels, this.shown.source);
    });
  }

  /** Classifies with `classifier` from now on (the shipped model, one trained or loaded in the page). */
  use(classifier: Classifier, description: string): void {
    if (this.classifier !== classifier) this.classifier.dispose();
    this.classifier = classifier;
    $('model-in-use').textContent = `Model: ${description}.`;
    document.body.dataset.model = description;
    if (this.shown) this.show(this.shown.pixels, this.shown.source);
  }

  show(pixels: Float32Array, source: string): void {
    this.shown = { pixels, source };
    drawGreyImages(
      $('input-preview'),
      Uint8Array.from(pixels, (v) => v * 255),
      1,
    );
    const tta = ($<HTMLSelectElement>('tta').value || false) as TestTimeAugmentation | false;
    const started = performance.now();
    const top = this.classifier.classify(pixels, { topK: 3, tta }) as Prediction[];
    const ms = performance.now() - started;
    this.firstPredictionMs ??= performance.now() - startedAt;
    const list = $('predictions');
    list.replaceChildren(
      ...top.map((p) => {
        const item = document.createElement('li');
        item.dataset.classIndex = String(p.classIndex);
        const percent = (100 * p.probability).toFixed(1);
        const name = document.createElement('span');
        name.className = 'name';
        name.textContent = p.className;
        item.append(name, ' ');
        item.insertAdjacentHTML(
          'beforeend',
          `<span class="p">${percent}%</span><div class="bar" style="width:${percent}%" role="img" aria-label="${percent} percent"></div>`,
        );
        return item;
      }),
    );
    list.dataset.source = source;
    list.dataset.tta = tta || 'off';
    $('timing').textContent =
      `${source}: inference ${ms.toFixed(1)} ms · first prediction ${this.firstPredictionMs.toFixed(0)} ms after page load`;
    document.body.dataset.inferenceMs = ms.toFixed(2);
    document.body.dataset.firstPredictionMs = this.firstPredictionMs.toFixed(0);
  }

  /** The gallery of real test images the page serves (samples/). */
  async buildGallery(): Promise<void> {
    const [images, meta] = await Promise.all([
      fetch('./samples/test-images.bin').then((r) => r.arrayBuffer()),
      fetch('./samples/test-labels.json').then((r) => r.json() as Promise<{ labels: number[] }>),
    ]);
    const pixels = new Uint8Array(images);
    const gallery = $('gallery');
    const names = this.classifier.classNames;
    meta.labels.forEach((label, index) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.index = String(index);
      button.dataset.label = String(label);
      button.setAttribute('aria-label', `Test image ${index + 1}: ${names[label]}`);
      const canvas = document.createElement('canvas');
      const image = pixels.subarray(index * 784, (index + 1) * 784);
      drawGreyImages(canvas, image, 1);
      button.append(canvas);
      button.addEventListener('click', () => {
        gallery.querySelectorAll('[aria-pressed]').forEach((b) => b.removeAttribute('aria-pressed'));
        button.setAttribute('aria-pressed', 'true');
        this.show(
          Float32Array.from(image, (v) => v / 255),
          `test image ${index + 1} (${names[label]})`,
        );
      });
      const item = document.createElement('li');
      item.append(button);
      gallery.append(item);
    });
    gallery.querySelector('button')?.click();
  }

  private async upload(event: Event) {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      this.show(await readImageFile(file), `upload ${file.name}`);
    } catch (error) {
      $('status').textContent = `Could not read ${file.name}: ${(error as Error).message}`;
    }
  }
}
