#!/usr/bin/env -S node --import tsx --conditions=fmnist-source
// Copies a finished run's model (with its provenance) into @fmnist/model as the shipped weights of its
// architecture, and ships a uint8-quantized copy beside it with its own test accuracy, measured here.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import { CLASS_NAMES } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { modelArtifactsToFiles } from '@fmnist/io';
import { directoryLoadHandler, writeDirectoryAtomic } from '@fmnist/io/node';
import {
  ARCHITECTURES,
  architectureOf,
  quantizeArtifacts,
  resolveShippedArchitecture,
  type ShippedArchitecture,
} from '@fmnist/model';
import { shippedWeightsDir } from '@fmnist/model/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const run = process.argv[2];
if (!run) {
  console.error('usage: ship-weights <run-dir>');
  process.exit(2);
}
const from = join(resolve(run), 'model');
const shipped: Record<string, Uint8Array> = {};
for (const file of ['model.json', 'weights.bin', 'provenance.json'])
  shipped[file] = await readFile(join(from, file));
const provenance = JSON.parse(new TextDecoder().decode(shipped['provenance.json']));
// Which architectures ship weights, and which copies, is the registry's to say (@fmnist/model's ARCHITECTURES).
let architecture: ShippedArchitecture;
try {
  architecture = resolveShippedArchitecture(
    architectureOf(provenance.recipe?.model),
    `${from}/provenance.json: recipe.model.architecture`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const { copies } = ARCHITECTURES[architecture].shipped;
const to = shippedWeightsDir({ architecture });
// The hash is checked on the very bytes that ship.
const sha = sha256(shipped['weights.bin']!);
if (sha !== provenance.weightsSha256) {
  console.error(`${from}/weights.bin does not match its provenance (${sha} ≠ ${provenance.weightsSha256})`);
  process.exit(1);
}
// Replaced as a whole: an interrupted copy never leaves weights that disagree with their provenance.
await writeDirectoryAtomic(to, shipped);
console.log(
  `shipped ${from} → ${to}: test accuracy ${(100 * provenance.testAccuracy).toFixed(2)}%, ${provenance.parameters} parameters`,
);

// The quantized copy, where the registry lists one.
if (!copies.includes('uint8')) process.exit(0);
const quantizedDir = shippedWeightsDir({ architecture, weights: 'uint8' });
const quantized = quantizeArtifacts(await directoryLoadHandler(to).load!(), 'uint8');
const files = modelArtifactsToFiles(quantized);
await useBestBackend('auto', { importModule: (specifier) => import(specifier) });
const model = await tfl.loadLayersModel(tf.io.fromMemory(quantized));
const { test } = await loadFashionMnist();
const { report } = await evaluateClassifier(model, test, test.labels, { classNames: CLASS_NAMES });
model.dispose();
files['provenance.json'] = `${JSON.stringify(
  {
    ...provenance,
    quantization: 'uint8',
    quantizedWith: "quantizeArtifacts(artifacts, 'uint8') from @fmnist/model",
    testAccuracy: report.accuracy,
    weightsSha256: sha256(files['weights.bin'] as Uint8Array),
    float32: { testAccuracy: provenance.testAccuracy, weightsSha256: provenance.weightsSha256 },
  },
  null,
  2,
)}\n`;
await writeDirectoryAtomic(quantizedDir, files);
console.log(
  `shipped the uint8 copy → ${quantizedDir}: test accuracy ${(100 * report.accuracy).toFixed(2)}% ` +
    `(float32 ${(100 * provenance.testAccuracy).toFixed(2)}%)`,
);
