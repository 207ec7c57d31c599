import { countTrainableParams, loadClassifier } from '@fmnist/model';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from './backend.js';
import { ClassifyTab } from './classify/classify-tab.js';
import { createDemoState } from './demo-state.js';
import { loadModelFiles } from './model-files.js';
import { OwnClassesTab } from './own-classes/own-classes-tab.js';
import { TrainTab } from './train/train-tab.js';
import { observeLongTasks } from './ui/long-tasks.js';
import { setUpTabs, showTab } from './ui/tabs.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state = createDemoState(observeLongTasks());
const shippedUrl = () => new URL('./model/model.json', document.baseURI).href;

/** "Load a saved model": the files picked become the Classify tab's model, or a message says why not. */
function setUpModelLoading(classify: ClassifyTab) {
  const input = $<HTMLInputElement>('load-model');
  input.addEventListener('change', async () => {
    const status = $('load-status');
    status.classList.remove('error');
    try {
      const classifier = await loadModelFiles([...(input.files ?? [])]);
      classify.use(classifier, `loaded from ${[...(input.files ?? [])].map((f) => f.name).join(', ')}`);
      status.textContent = 'Loaded: the Classify tab uses it.';
      showTab('tab-classify');
    } catch (error) {
      status.textContent = (error as Error).message;
      status.classList.add('error');
    }
  });
}

async function start() {
  setUpTabs();
  const status = $('status');
  const backend = await startBackend();
  const classifier = await loadClassifier({ model: shippedUrl() });
  const provenance = await fetch('./model/provenance.json').then(
    (r) => r.json() as Promise<{ testAccuracy: number }>,
  );
  status.textContent = `Running on the ${backend}. Model: ${countTrainableParams(classifier.model).toLocaleString('en')} trainable parameters, ${(100 * provenance.testAccuracy).toFixed(2)}% on the test set.`;
  document.body.dataset.backend = tf.getBackend();
  const classify = new ClassifyTab(classifier);
  new TrainTab(state, (trained, description) => {
    classify.use(trained, description);
    showTab('tab-classify');
  });
  setUpModelLoading(classify);
  // Its own copy of the shipped network: the Classify tab frees its model when switched to another.
  new OwnClassesTab(state, await loadClassifier({ model: shippedUrl() }));
  await classify.buildGallery();
  document.body.dataset.ready = 'true';
}

start().catch((error: Error) => {
  $('status').textContent = `Failed to start: ${error.message}`;
  console.error(error);
});
