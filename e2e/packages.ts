/** What each published package needs beside itself, and a few names it must export. */
export interface PackageCase {
  name: string;
  dir: string;
  /** Registry packages a consumer installs with it (peers and the tools of this check). */
  peers: string[];
  /** `@fmnist` packages that must not come with it (their purposes are not its own). */
  mustNotBring?: string[];
  /** `@fmnist` packages this check's own code uses beside it (installed from their tarballs too). */
  checkUses?: string[];
  exports: string[];
  /** Names its `./node` entry (Node-only code) must export. */
  nodeExports?: string[];
  /** Its root entry bundled for the browser in this check (no `node:` import may be reachable). */
  browser: boolean;
  /** Other entries that must bundle for the browser too. */
  browserSubpaths?: string[];
  /**
   * Code run in Node as an ES module and as CommonJS, with `modules` bound to those names (a name of
   * `''` only loads the module); it exits non-zero when what it checks fails.
   */
  usage?: { modules: Record<string, string>; body: string };
}

const TFJS = '4.22.0';
const core = `@tensorflow/tfjs-core@${TFJS}`;
const layers = `@tensorflow/tfjs-layers@${TFJS}`;
const cpu = `@tensorflow/tfjs-backend-cpu@${TFJS}`;
const wasm = `@tensorflow/tfjs-backend-wasm@${TFJS}`;
const data = `@tensorflow/tfjs-data@${TFJS}`;

export const PACKAGES: PackageCase[] = [
  {
    name: '@fmnist/random',
    dir: 'packages/random',
    peers: [],
    exports: ['createRng', 'permutation', 'shuffleInPlace'],
    browser: true,
  },
  {
    name: '@fmnist/dataset',
    dir: 'packages/dataset',
    // tfjs-data and tfjs-layers for the README's toTfDataset example.
    peers: [core, cpu, data, layers],
    exports: ['fetchFashionMnist', 'parseIdx', 'CLASS_NAMES'],
    nodeExports: ['loadFashionMnist', 'defaultCacheDir'],
    browser: true,
    browserSubpaths: ['tfjs', 'tfjs-data'],
  },
  {
    name: '@fmnist/augment',
    mustNotBring: ['@fmnist/backend', '@fmnist/dataset'],
    dir: 'packages/augment',
    // For the README's augmentDataset and layers examples (the root entry needs no tfjs).
    peers: [core, cpu, data, layers],
    exports: ['createAugmenter', 'imageDataGenerator', 'randomAffine'],
    nodeExports: ['augmentStream', 'writePreview'],
    browser: true,
    browserSubpaths: ['tfjs', 'layers'],
  },
  {
    name: '@fmnist/backend',
    dir: 'packages/backend',
    peers: [core, layers, cpu, wasm],
    exports: ['useBestBackend', 'registerWasmTrainingKernels', 'simdKernelChoice'],
    browser: true,
    mustNotBring: ['@fmnist/training', '@fmnist/dataset'],
  },
  {
    name: '@fmnist/training',
    dir: 'packages/training',
    peers: [core, layers, cpu, wasm],
    exports: ['lossFunction', 'resolveLoss', 'TrainingError', 'RunProgress', 'loadRunCheckpoint'],
    nodeExports: ['DataParallelTrainer', 'fitDataParallel', 'runCheckpointStore', 'nodeWorkerTransport'],
    browser: true,
    // ./recipes builds on these optional peers; a plain install (fitDataParallel alone) brings none of them.
    // ./browser is the trainer on Web Workers; ./sweeps is sweeps as plain data.
    browserSubpaths: ['recipes', 'browser', 'sweeps'],
    mustNotBring: ['@fmnist/dataset', '@fmnist/model', '@fmnist/augment', '@fmnist/callbacks'],
    // For ./recipes: the README's "Train a recipe" and its browser bundle.
    checkUses: ['@fmnist/model', '@fmnist/augment', '@fmnist/callbacks', '@fmnist/dataset'],
  },
  {
    name: '@fmnist/model',
    dir: 'packages/model',
    peers: [core, layers, cpu],
    exports: ['createCnnMlpModel', 'createModel', 'ARCHITECTURES', 'amsgrad', 'loadClassifier'],
    nodeExports: ['loadClassifier', 'shippedWeightsDir', 'decodeImage'],
    browser: true,
    mustNotBring: ['@fmnist/backend', '@fmnist/dataset'],
    checkUses: ['@fmnist/dataset'],
    // Both shipped copies of the weights classify real test images (the data package finds them).
    usage: {
      modules: { '': cpu.replace(/@[^@]*$/, ''), m: '@fmnist/model/node', dataset: '@fmnist/dataset/node' },
      body: `
        const { test } = await dataset.loadFashionMnist({ download: false });
        for (const weights of ['float32', 'uint8']) {
          const classifier = await m.loadClassifier({ weights });
          let right = 0;
          for (let i = 0; i < 50; i++) {
            const [top] = classifier.classify(test.images.subarray(i * 784, (i + 1) * 784), { topK: 1 });
            if (top.classIndex === test.labels[i]) right++;
          }
          classifier.dispose();
          console.log(weights, right);
          if (right < 40) process.exit(1);
        }`,
    },
  },
  {
    name: '@fmnist/io',
    dir: 'packages/io',
    // tfjs-layers and a backend for the README's example.
    peers: [core, layers, cpu],
    exports: ['IoError', 'modelArtifactsToFiles', 'indexedDbCheckpointStore'],
    nodeExports: ['directorySaveHandler', 'directoryLoadHandler', 'registerFileSystemRouter'],
    browser: true,
  },
  {
    name: '@fmnist/callbacks',
    mustNotBring: ['@fmnist/backend', '@fmnist/dataset'],
    dir: 'packages/callbacks',
    peers: [core, layers, cpu],
    exports: ['reduceLROnPlateau', 'earlyStopping', 'weightsEMA'],
    nodeExports: ['modelCheckpoint', 'csvLogger', 'tensorBoard'],
    browser: true,
  },
  {
    name: '@fmnist/eval',
    mustNotBring: ['@fmnist/backend', '@fmnist/dataset'],
    dir: 'packages/eval',
    // tfjs-layers and a backend for the README's evaluateClassifier example.
    peers: [core, layers, cpu],
    exports: ['classificationReport', 'renderHtml', 'renderText'],
    browser: true,
    browserSubpaths: ['tfjs'],
  },
  {
    name: '@fmnist/onnx',
    dir: 'packages/onnx',
    // tfjs-layers and a backend for the README's example.
    peers: [core, layers, cpu],
    exports: ['toOnnx', 'OnnxError', 'ONNX_OPSET', 'SUPPORTED_OPSETS'],
    nodeExports: ['saveOnnx'],
    browser: true,
    mustNotBring: ['@fmnist/backend', '@fmnist/dataset', '@fmnist/model'],
  },
];
