import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormWarning } from './batch-norm-warning.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model({ batchNorm, momentum }: { batchNorm: boolean; momentum?: number }) {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 4 }),
      ...(batchNorm
        ? [tfl.layers.batchNormalization({ momentum }), tfl.layers.batchNormalization({ momentum })]
        : []),
      tfl.layers.dense({ units: 2 }),
    ],
  });
}

describe('batchNormWarning', () => {
  it("names the steps, the layers' momentum, the steps they need and what to do, when a run is too short", () => {
    // --recipe vgg --epochs 1 --limit 3000: 24 steps, and every test image came out as one class.
    const warning = batchNormWarning(model({ batchNorm: true }), 24);
    expect(warning).toBe(
      "warning: 24 training steps, but the model's 2 BatchNormalization layers (momentum 0.99) need about 300 " +
        'for the moving mean and variance that evaluation uses: after 24 steps those are still 79% their initial ' +
        'values (mean 0, variance 1), and the model may predict one class for every image. Train longer: more ' +
        '--epochs, more images (--limit), or a smaller --batch-size.',
    );
  });

  it('needs fewer steps with a lower momentum (3 time constants: 30 at 0.9)', () => {
    expect(batchNormWarning(model({ batchNorm: true, momentum: 0.9 }), 29)).toMatch(
      /momentum 0.9\) need about 30 /,
    );
    expect(batchNormWarning(model({ batchNorm: true, momentum: 0.9 }), 30)).toBeUndefined();
  });

  it('says nothing for a run long enough, or a model without BatchNormalization', () => {
    expect(batchNormWarning(model({ batchNorm: true }), 300)).toBeUndefined();
    expect(batchNormWarning(model({ batchNorm: false }), 1)).toBeUndefined();
  });
});
