import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClassifier, shippedWeightsDir } from '@fmnist/model/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { saveOnnx } from './node/save-onnx.js';

// The model README's Python snippet, run as written on the exported default model: CI installs
// onnxruntime with pip (.ci/run); without it, or without the data, the test says so and skips.
const README = new URL('../../model/README.md', import.meta.url);
const hasOnnxRuntime =
  spawnSync('python3', ['-c', 'import onnxruntime, numpy'], { stdio: 'ignore' }).status === 0;
const hasData = existsSync('/usr/share/datasets/fashion-mnist');
if (!hasOnnxRuntime)
  console.warn(
    "SKIPPED the model README's Python snippet: no onnxruntime for python3 (pip install onnxruntime)",
  );
else if (!hasData)
  console.warn(
    "SKIPPED the model README's Python snippet: Fashion-MNIST not installed at /usr/share/datasets",
  );

const dir = mkdtempSync(join(tmpdir(), 'fmnist-onnx-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(!hasOnnxRuntime || !hasData)(
  "the model README's Python snippet reaches the shipped weights' accuracy in onnxruntime",
  async () => {
    const readme = await readFile(README, 'utf8');
    const snippet = /```python\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, 'a ```python block in packages/model/README.md').toBeDefined();
    await tf.setBackend('cpu');
    const classifier = await loadClassifier();
    await saveOnnx(classifier.model, join(dir, 'model.onnx'));
    classifier.dispose();
    const run = spawnSync('python3', ['-c', snippet!], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const provenance = JSON.parse(await readFile(join(shippedWeightsDir(), 'provenance.json'), 'utf8'));
    expect(run.stdout.trim()).toBe(`(10000, 10) accuracy ${provenance.testAccuracy.toFixed(4)}`);
  },
);
