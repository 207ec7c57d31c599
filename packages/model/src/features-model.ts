import * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from './errors.js';

// A layer with a kernel (Dense, Conv2D, DepthwiseConv2D's depthwise_kernel, …) maps features to outputs;
// Activation, Softmax, Dropout, BatchNormalization, Flatten and pooling layers do not.
const hasKernel = (layer: tfl.layers.Layer) => layer.weights.some((w) => /kernel$/.test(w.originalName));

/**
 * The model from its input to the input of its classifier head, sharing its layers and weights (whose
 * owner, `model`, frees them). The head is the last layer with a kernel (usually the final Dense), found
 * walking back from the output past layers without one (a separate softmax, dropout, normalization);
 * its input is the features: for the CNN-MLP the 32-wide hidden Dense (after its ReLU), for the VGG
 * model its 128 globally pooled channels, for a Keras `... → GlobalAveragePooling2D → Dropout → Dense`
 * model the pooled channels. Dropout is the identity at inference, so features after it are the same.
 */
export function featuresModel(model: tfl.LayersModel): tfl.LayersModel {
  let head = model.outputs[0]!.sourceLayer;
  while (!hasKernel(head)) {
    const inputs = head.inboundNodes[0]?.inputTensors ?? [];
    if (inputs.length !== 1)
      throw new ClassifierError(
        `embed: cannot find the model's classifier head: walking back from its output, layer '${head.name}' has ${inputs.length} inputs before any layer with a kernel (Dense, Conv2D)`,
      );
    head = inputs[0]!.sourceLayer;
  }
  const features = head.inboundNodes[0]?.inputTensors ?? [];
  if (features.length !== 1 || features[0]!.sourceLayer.getClassName() === 'InputLayer')
    throw new ClassifierError(
      `embed: the model's head, layer '${head.name}', takes ${features.length === 1 ? 'the images themselves' : `${features.length} inputs`}: no hidden layer to take features from`,
    );
  return tfl.model({ inputs: model.inputs, outputs: features[0]! });
}
