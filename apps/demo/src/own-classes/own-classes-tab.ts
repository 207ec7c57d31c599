import type { Classifier, Prediction } from '@fmnist/model';
import type { DemoState } from '../demo-state.js';
import { downloadModel } from '../model-files.js';
import { drawGreyImages } from '../ui/grey-images.js';
import { readImageFile } from '../ui/read-image-file.js';
import { sketchPad } from '../ui/sketch-pad.js';
import { trainClassHead } from './class-head.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const MIN_CLASSES = 2;
const MAX_CLASSES = 10;
const PIXELS = 28 * 28;

/** "Your classes": 2–10 named classes, drawn or uploaded examples, a head trained on the shipped features. */
export class OwnClassesTab {
  private names: string[] = [];
  private examples: Float32Array[][] = [];
  private trained: Classifier | undefined;
  private readonly pad = sketchPad($('own-sketch'));

  constructor(
    private readonly state: DemoState,
    private readonly shipped: Classifier,
  ) {
    $('own-set-names').addEventListener('click', () => this.setNames());
    $('own-clear').addEventListener('click', this.pad.clear);
    $('own-train').addEventListener('click', () => this.train());
    $('own-classify').addEventListener('click', () => this.classify());
    $('own-download').addEventListener('click', () => this.trained && downloadModel(this.trained, 'model'));
  }

  private status(message: string, error = false): void {
    $('own-status').textContent = message;
    $('own-status').classList.toggle('error', error);
  }

  private setNames(): void {
    const names = $<HTMLInputElement>('own-names')
      .value.split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (names.length < MIN_CLASSES || names.length > MAX_CLASSES || new Set(names).size !== names.length) {
      this.status(
        `Give ${MIN_CLASSES}–${MAX_CLASSES} different class names, comma-separated; found ${names.length}${new Set(names).size !== names.length ? ' with repeats' : ''}.`,
        true,
      );
      return;
    }
    this.names = names;
    this.examples = names.map(() => []);
    this.trained = undefined;
    this.state.own = { classes: names, trained: false };
    $('own-classes').replaceChildren(...names.map((name, i) => this.classRow(name, i)));
    this.refresh();
    this.status(`Draw an example above, then "Add drawing" to its class; a few per class will do.`);
  }

  private classRow(name: string, index: number): HTMLElement {
    const row = document.createElement('div');
    row.className = 'own-class';
    row.dataset.classIndex = String(index);
    const add = document.createElement('button');
    add.type = 'button';
    add.textContent = `Add drawing to ${name}`;
    add.dataset.addDrawing = String(index);
    add.addEventListener('click', () => {
      this.addExample(index, this.pad.modelInput());
      this.pad.clear();
    });
    const upload = document.createElement('input');
    upload.type = 'file';
    upload.accept = 'image/*';
    upload.multiple = true;
    upload.setAttribute('aria-label', `Images of ${name}`);
    upload.addEventListener('change', async () => {
      for (const file of upload.files ?? []) {
        try {
          this.addExample(index, await readImageFile(file));
        } catch (error) {
          this.status(`Could not read ${file.name}: ${(error as Error).message}`, true);
        }
      }
    });
    const thumbs = document.createElement('span');
    thumbs.className = 'thumbs';
    const label = document.createElement('strong');
    label.textContent = name;
    row.append(label, ' ', add, ' ', upload, thumbs);
    return row;
  }

  private addExample(index: number, pixels: Float32Array): void {
    this.examples[index]!.push(pixels);
    const canvas = document.createElement('canvas');
    drawGreyImages(
      canvas,
      Uint8Array.from(pixels, (v) => v * 255),
      1,
    );
    $('own-classes').querySelector(`[data-class-index="${index}"] .thumbs`)!.append(canvas);
    this.refresh();
  }

  private refresh(): void {
    const ready = this.names.length > 0 && this.examples.every((e) => e.length > 0);
    $<HTMLButtonElement>('own-train').disabled = !ready;
    $<HTMLButtonElement>('own-classify').disabled = !this.trained;
    $<HTMLButtonElement>('own-download').disabled = !this.trained;
  }

  private async train(): Promise<void> {
    const labels = this.examples.flatMap((list, label) => list.map(() => label));
    const images = new Float32Array(labels.length * PIXELS);
    this.examples.flat().forEach((pixels, i) => images.set(pixels, i * PIXELS));
    const started = performance.now();
    try {
      this.trained = await trainClassHead(this.shipped, this.names, images, labels, 42);
    } catch (error) {
      this.status(`Training failed: ${(error as Error).message}`, true);
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    this.state.own.trained = true;
    this.refresh();
    this.status(
      `Trained on ${labels.length} examples in ${seconds.toFixed(1)} s. Draw something and classify it.`,
    );
  }

  private classify(): void {
    if (!this.trained) return;
    const top = this.trained.classify(this.pad.modelInput(), {
      topK: Math.min(3, this.names.length),
    }) as Prediction[];
    const list = $('own-predictions');
    list.replaceChildren(
      ...top.map((p) => {
        const item = document.createElement('li');
        item.dataset.classIndex = String(p.classIndex);
        item.textContent = `${p.className}: ${(100 * p.probability).toFixed(1)}%`;
        return item;
      }),
    );
    list.dataset.top = top[0]!.className;
  }
}
