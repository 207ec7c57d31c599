// Saves a checkpoint into argv[2] again and again until killed: for the crash-safety test.
import '@tensorflow/tfjs-backend-cpu';
import { basename, dirname } from 'node:path';
import { saveCheckpoint } from '@fmnist/io';
import { fileSystemCheckpointStore } from '@fmnist/io/node';
import * as tfl from '@tensorflow/tfjs-layers';

const dir = process.argv[2]!;
const store = fileSystemCheckpointStore(dirname(dir));
const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 512, inputShape: [512] })] });
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
for (let i = 0; ; i++) {
  await saveCheckpoint(store, basename(dir), model, { state: { i } });
  if (i === 0) console.log('saved');
}
