import { dirname } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import { directoryLoadHandler } from '@fmnist/io/node';
import { SHIPPED_ARCHITECTURES } from '@fmnist/model';
import { shippedWeightsDir } from '@fmnist/model/node';
import { ONNX_OPSET, SUPPORTED_OPSETS } from '@fmnist/onnx';
import { saveOnnx } from '@fmnist/onnx/node';
import { EXIT, UsageError } from '../../cli/exit-codes.js';
import { choiceFlag, defineFlags } from '../../cli/flags.js';

const LAYOUTS = ['NHWC', 'NCHW'] as const;
const WEIGHTS = ['float32', 'uint8'] as const;

const FLAGS = defineFlags({
  onnx: { type: 'string', value: 'FILE', help: 'write the model as ONNX there (required)', path: true },
  model: {
    type: 'string',
    value: 'DIR',
    help: 'a saved tfjs layers model (a folder or its model.json)',
    path: true,
  },
  architecture: {
    type: 'string',
    value: 'A',
    help: `without --model, a shipped network: ${SHIPPED_ARCHITECTURES.join(' | ')} (default ${SHIPPED_ARCHITECTURES[0]})`,
  },
  weights: {
    type: 'string',
    value: 'W',
    help: `without --model, its shipped copy: ${WEIGHTS.join(' | ')} (default float32)`,
  },
  opset: {
    type: 'string',
    value: 'N',
    help: `ONNX opset: ${Object.keys(SUPPORTED_OPSETS).join(' | ')}`,
    default: String(ONNX_OPSET),
  },
  layout: { type: 'string', value: 'L', help: `image input layout: ${LAYOUTS.join(' | ')}`, default: 'NHWC' },
  'keep-batch-norm': {
    type: 'boolean',
    help: 'keep BatchNormalization nodes instead of folding them into convolutions',
  },
  help: { type: 'boolean', short: 'h', help: 'this text' },
});

const USAGE = `Usage: fmnist-export --onnx FILE [--model DIR | --architecture A --weights W] [options]

Exports a tfjs layers model (yours, or the weights shipped in @fmnist/model) to ONNX, for ONNX Runtime in
Python, C++, C#, Java or the browser. Layers without an ONNX conversion are refused by name.

${FLAGS.help()}`;

/** The tfjs model folder the flags name: --model, or a shipped copy. */
function modelDir(values: ReturnType<typeof FLAGS.parse>['values']): string {
  if (values.model !== undefined) {
    if (values.architecture !== undefined || values.weights !== undefined)
      throw new UsageError('--model and --architecture/--weights exclude each other: give one model');
    return values.model.endsWith('.json') ? dirname(values.model) : values.model;
  }
  const architecture = choiceFlag(
    'architecture',
    values.architecture ?? SHIPPED_ARCHITECTURES[0]!,
    SHIPPED_ARCHITECTURES,
  );
  const weights = choiceFlag('weights', values.weights ?? 'float32', WEIGHTS);
  return shippedWeightsDir({ architecture, weights });
}

/** `fmnist-export --onnx`: a tfjs layers model as an ONNX file. */
export async function main(argv: string[]): Promise<number> {
  const { values } = FLAGS.parse(argv);
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (!values.onnx) throw new UsageError(`--onnx FILE is required\n\n${USAGE}`);
  const opset = Number(choiceFlag('opset', values.opset, Object.keys(SUPPORTED_OPSETS)));
  const inputLayout = choiceFlag('layout', values.layout, LAYOUTS);
  const dir = modelDir(values);
  // Reading weights needs a backend, not speed; WASM's, unlike the CPU one, prints no banner in Node.
  await useBestBackend('wasm', { log: null, importModule: (s) => import(s) });
  const tfl = await import('@tensorflow/tfjs-layers');
  const model = await tfl.loadLayersModel(directoryLoadHandler(dir));
  await saveOnnx(model, values.onnx, { opset, inputLayout, foldBatchNorm: !values['keep-batch-norm'] });
  console.log(`${values.onnx}: ${model.name} from ${dir}, opset ${opset}, ${inputLayout} input`);
  return EXIT.ok;
}
