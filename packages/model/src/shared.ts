export { ADAM_DEFAULTS, type AdamWConfig, AdamWOptimizer, adamw, amsgrad } from './adamw-optimizer.js';
export {
  ARCHITECTURES,
  type Architecture,
  type DeprecatedArchitecture,
  MODEL_ARCHITECTURES,
  type ModelArchitecture,
  type ModelOptions,
  resolveArchitecture,
  resolveShippedArchitecture,
  SHIPPED_ARCHITECTURES,
  type ShippedArchitecture,
  type ShippedWeights,
} from './architectures.js';
export {
  Classifier,
  type ClassifierInput,
  type ClassifierOptions,
  type ClassifyOptions,
  type ImageBatch,
  type Prediction,
  type PredictOptions,
  type SingleImage,
} from './classifier.js';
export {
  CNN_MLP_MODEL_BN_TRAINABLE_PARAMS,
  CNN_MLP_MODEL_PARAMS,
  type CnnMlpModelOptions,
  createCnnMlpModel,
  createSeedModel,
  SEED_MODEL_BN_TRAINABLE_PARAMS,
  SEED_MODEL_PARAMS,
  type SeedModelOptions,
} from './cnn-mlp-model.js';
export { countTrainableParams } from './count-params.js';
export { createModel } from './create-model.js';
export { ClassifierError } from './errors.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE, IMAGE_SIZE } from './fashion-mnist.js';
export { featuresModel } from './features-model.js';
export { foldBatchNorm } from './fold-batch-norm.js';
export type { ImageShape } from './image-shape.js';
export { type RawImage, toModelInput } from './preprocess.js';
export { type QuantizationDtype, quantizeArtifacts } from './quantize.js';
export {
  architectureOf,
  CNN_MLP_BN_RECIPE,
  QUICK_RECIPE,
  RECIPES,
  REPORT_RECIPE,
  type Recipe,
  SEED_BN_RECIPE,
  SEED_RECIPE,
  VGG_RECIPE,
} from './recipes.js';
export { type TestTimeAugmentation, TTA_VIEWS } from './test-time-augmentation.js';
export { createVggModel, VGG_MODEL_TRAINABLE_PARAMS, type VggModelOptions } from './vgg-model.js';
