// A user's own project, outside this repository, using the packed tarballs as a stranger would: a
// 32x32 RGB, 3-class conv net with BatchNorm and Dropout, trained with the data-parallel trainer and
// our callbacks, resumed from a backup, evaluated, then classified with names of the user's own.
// Each check throws with what went wrong; the last line printed is a JSON summary.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import { earlyStopping, terminateOnNaN } from '@fmnist/callbacks';
import { backupAndRestore, csvLogger, jsonHistory } from '@fmnist/callbacks/node';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { directoryLoadHandler, directorySaveHandler } from '@fmnist/io/node';
import { Classifier } from '@fmnist/model';
import { DataParallelTrainer, fitDataParallel, type TrainingBatch } from '@fmnist/training/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const out: string = process.argv[2] ?? '';
if (!out) throw new Error('usage: main.mts OUT_DIR');
const SIZE = 32;
const CLASSES = ['red', 'green', 'blue'];
const PIXELS = SIZE * SIZE * 3;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function rejectsWith(promise: Promise<unknown>, name: string, pattern: RegExp, what: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  check(error, `${what} should fail`);
  check(error.name === name, `${what}: expected a ${name}, got ${error.name}: ${error.message}`);
  check(pattern.test(error.message), `${what}: message ${JSON.stringify(error.message)} lacks ${pattern}`);
}

// Images whose class is the brightest colour channel, with noise: learnable in a few epochs.
function images(count: number, seed: number): { x: Float32Array; labels: Int32Array; y: Float32Array } {
  let s = seed;
  const random = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  const y = new Float32Array(count * CLASSES.length);
  for (let i = 0; i < count; i++) {
    const label = i % CLASSES.length;
    labels[i] = label;
    y[i * CLASSES.length + label] = 1;
    for (let p = 0; p < SIZE * SIZE; p++)
      for (let c = 0; c < 3; c++) x[i * PIXELS + p * 3 + c] = 0.5 * random() + (c === label ? 0.4 : 0);
  }
  return { x, labels, y };
}

function buildModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [SIZE, SIZE, 3], filters: 8, kernelSize: 3, useBias: false }),
      tfl.layers.batchNormalization({ momentum: 0.9 }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: CLASSES.length, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

await useBestBackend('auto', { log: null, importModule: (s) => import(s) });
const train = images(480, 1);
const test = images(150, 2);
const BATCH = 32;
const batches = (): TrainingBatch[] =>
  Array.from({ length: train.labels.length / BATCH }, (_, b) => ({
    x: train.x.slice(b * BATCH * PIXELS, (b + 1) * BATCH * PIXELS),
    xShape: [BATCH, SIZE, SIZE, 3],
    y: train.y.slice(b * BATCH * 3, (b + 1) * BATCH * 3),
    yShape: [BATCH, 3],
  }));

// A crash at the start of epoch `epoch`, as a killed process would leave the run.
class CrashAt extends tfl.Callback {
  constructor(private readonly epoch: number) {
    super();
  }
  override async onEpochBegin(epoch: number) {
    if (epoch === this.epoch) throw new Error(`crashed at epoch ${epoch}`);
  }
}

// Four epochs, crashed after two, then resumed from the backup with new objects.
async function session(crashAt?: number) {
  const model = buildModel();
  const stopper = earlyStopping({ monitor: 'loss', patience: 5, restoreBestWeights: true });
  const loggers = [
    jsonHistory({ path: join(out, 'history.json') }),
    csvLogger({ path: join(out, 'history.csv'), append: true }),
  ];
  const backup = backupAndRestore({ backupDir: join(out, 'backup'), callbacks: [stopper] });
  const { initialEpoch } = await backup.restore(model);
  const trainer = await DataParallelTrainer.create(model, { workers: 2 });
  const crash = crashAt === undefined ? [] : [new CrashAt(crashAt)];
  const result = await fitDataParallel(trainer, {
    epochs: 4,
    initialEpoch,
    batches,
    seed: 7,
    callbacks: [...crash, stopper, terminateOnNaN(), ...loggers, backup],
  }).catch((error: Error) => error);
  return { model, trainer, result, initialEpoch };
}

const first = await session(2);
check(first.result instanceof Error && /crashed at epoch 2/.test(first.result.message), 'the crash');
await first.trainer.dispose();
first.model.dispose();
const second = await session();
check(!(second.result instanceof Error), `the resumed run ends: ${String(second.result)}`);
check(second.initialEpoch === 2, `the resume starts at epoch 2, not ${second.initialEpoch}`);
const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { epoch: number[] };
check(
  JSON.stringify(history.epoch) === '[0,1,2,3]',
  `history.json keeps every epoch once across the resume: ${JSON.stringify(history.epoch)}`,
);
const csvEpochs = readFileSync(join(out, 'history.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',')[0]);
check(csvEpochs.join() === '0,1,2,3', `history.csv keeps every epoch once: ${csvEpochs.join()}`);

// One NaN pixel is refused by name, and nothing is applied.
const { model, trainer } = second;
const weightsBefore = model.getWeights().map((w) => w.dataSync().slice());
const poisoned = batches()[0]!;
poisoned.x[5 * PIXELS + 100] = Number.NaN;
await rejectsWith(
  fitDataParallel(trainer, { epochs: 5, initialEpoch: 4, batches: () => [poisoned] }),
  'TrainingError',
  new RegExp(
    `epoch 4, batch 0: .*x of the batch of 32 holds NaN at index ${5 * PIXELS + 100} \\(sample 5, element 100\\)`,
  ),
  'a batch holding NaN',
);
check(
  model.getWeights().every((w, i) => w.dataSync().every((v, k) => v === weightsBefore[i]![k])),
  'a refused batch changes no weight',
);
await rejectsWith(
  fitDataParallel(trainer, { epochs: 5, initialEpoch: 4, batches: () => [] }),
  'TrainingError',
  /epoch 4 had no batches/,
  'an epoch without batches',
);

// Evaluation with the user's class names; degenerate input is refused by name.
const testSet = {
  data: test.x,
  shape: [test.labels.length, SIZE, SIZE, 3] as [number, number, number, number],
};
const { report } = await evaluateClassifier(model, testSet, test.labels, { classNames: CLASSES });
check(report.accuracy >= 0.9, `test accuracy ${report.accuracy} below 0.9`);
await rejectsWith(
  evaluateClassifier(model, { data: new Float32Array(0), shape: [0, SIZE, SIZE, 3] }, [], {
    classNames: CLASSES,
  }),
  'EvaluationError',
  /no images/,
  'evaluating zero images',
);

// Saved and loaded back through @fmnist/io, it predicts the same.
await model.save(directorySaveHandler(join(out, 'model')));
check(existsSync(join(out, 'model', 'model.json')), 'the saved model has its model.json');
const loaded = await tfl.loadLayersModel(directoryLoadHandler(join(out, 'model')));
const agree = tf.tidy(() => {
  const x = tf.tensor4d(test.x.subarray(0, 20 * PIXELS), [20, SIZE, SIZE, 3]);
  const a = tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync();
  const b = tf.argMax(loaded.predict(x) as tf.Tensor, -1).dataSync();
  return a.every((v, i) => v === b[i]);
});
check(agree, 'the loaded model predicts as the trained one');

// After dispose, a step rejects at once instead of hanging.
await trainer.dispose();
const started = performance.now();
await rejectsWith(
  trainer.step(poisoned.x, poisoned.xShape, poisoned.y, poisoned.yShape),
  'TrainingError',
  /disposed/,
  'a step after dispose',
);
check(performance.now() - started < 1000, 'a step after dispose settles at once');

// The classifier reads 32x32x3 and three classes from the model, and takes the user's names.
const throwsWith = (f: () => unknown, name: string, pattern: RegExp, what: string) =>
  rejectsWith(Promise.resolve().then(f), name, pattern, what);
await throwsWith(
  () => new Classifier(model, ['red', 'green']),
  'ClassifierError',
  /classNames has 2 names, but the model has 3 outputs/,
  'two names for three classes',
);
const classifier = new Classifier(model, CLASSES);
check(
  JSON.stringify(classifier.inputShape) === '{"height":32,"width":32,"channels":3}',
  `the input shape read from the model: ${JSON.stringify(classifier.inputShape)}`,
);
let right = 0;
for (let i = 0; i < 30; i++) {
  const image = test.x.subarray(i * PIXELS, (i + 1) * PIXELS);
  const [top] = classifier.classify(image, { batch: false, topK: 1, tta: 'flip' });
  if (top?.className === CLASSES[test.labels[i]!]) right++;
}
check(right >= 27, `the classifier names ${right} of 30 test images right`);
const photo = { data: new Uint8Array(64 * 48 * 3).fill(200), width: 64, height: 48, channels: 3 as const };
check(classifier.classify(photo).length === 3, 'a 64x48 RGB picture is resized and classified');
check(classifier.embed(photo).size === 16, 'embed gives the 16 pooled features the head reads');
classifier.dispose();
await throwsWith(() => classifier.classify(photo), 'ClassifierError', /disposed/, 'classify after dispose');

console.log(
  JSON.stringify({ accuracy: report.accuracy, epochs: history.epoch, tensors: tf.memory().numTensors }),
);
