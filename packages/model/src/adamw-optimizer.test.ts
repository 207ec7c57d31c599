import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamWOptimizer, adamw, amsgrad } from './adamw-optimizer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The update rule written out in plain numbers (Keras's AMSGrad: lr_t with both bias corrections). */
function referenceSteps(
  grads: number[],
  p0: number,
  o: { lr: number; b1: number; b2: number; eps: number; amsgrad: boolean; wd?: number },
) {
  let p = p0;
  let m = 0;
  let v = 0;
  let vMax = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    m = o.b1 * m + (1 - o.b1) * g;
    v = o.b2 * v + (1 - o.b2) * g * g;
    vMax = Math.max(vMax, v);
    const lrT = (o.lr * Math.sqrt(1 - o.b2 ** t)) / (1 - o.b1 ** t);
    p = p * (1 - o.lr * (o.wd ?? 0)) - (lrT * m) / (Math.sqrt(o.amsgrad ? vMax : v) + o.eps);
    out.push(p);
  });
  return out;
}

function run(optimizer: AdamWOptimizer, grads: number[], p0: number) {
  const variable = tf.variable(tf.scalar(p0));
  const values: number[] = [];
  for (const g of grads) {
    optimizer.applyGradients({ [variable.name]: tf.scalar(g) });
    values.push(variable.dataSync()[0]!);
  }
  variable.dispose();
  return values;
}

// A large gradient followed by small ones: v decays below its maximum, where AMSGrad and Adam part.
const grads = [2, 0.01, 0.01, -0.01, 0.01, 0.01];

describe('AdamWOptimizer', () => {
  it('matches AMSGrad computed by hand, step by step', () => {
    const expected = referenceSteps(grads, 1, { lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-7, amsgrad: true });
    const actual = run(amsgrad({ learningRate: 0.01 }), grads, 1);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('keeps the running maximum of the second moment, unlike Adam', async () => {
    const optimizer = amsgrad({ learningRate: 0.01 });
    const plain = new AdamWOptimizer({ learningRate: 0.01 });
    const withMax = run(optimizer, grads, 1);
    const withoutMax = run(plain, grads, 1);
    const weights = await optimizer.getWeights();
    const v = weights.find((w) => w.name.endsWith('/v'))!.tensor.dataSync()[0]!;
    const vhat = weights.find((w) => w.name.endsWith('/vhat'))!.tensor.dataSync()[0]!;
    let second = 0;
    const history = grads.map((g) => (second = 0.999 * second + 0.001 * g * g));
    expect(vhat).toBeCloseTo(Math.max(...history), 7);
    expect(v).toBeCloseTo(history[history.length - 1]!, 7);
    expect(vhat).toBeGreaterThan(v);
    expect(withMax[5]).not.toBeCloseTo(withoutMax[5]!, 6);
    // Smaller steps after the large gradient: AMSGrad moves less than Adam.
    expect(Math.abs(withMax[5]! - withMax[0]!)).toBeLessThan(Math.abs(withoutMax[5]! - withoutMax[0]!));
  });

  it('applies decoupled weight decay as AdamW does', () => {
    const expected = referenceSteps(grads, 1, {
      lr: 0.01,
      b1: 0.9,
      b2: 0.999,
      eps: 1e-7,
      amsgrad: false,
      wd: 0.1,
    });
    const actual = run(adamw({ learningRate: 0.01, weightDecay: 0.1 }), grads, 1);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('takes a new learning rate between steps', () => {
    const optimizer = amsgrad({ learningRate: 0.01 });
    const variable = tf.variable(tf.scalar(1));
    optimizer.learningRate = 0;
    optimizer.applyGradients({ [variable.name]: tf.scalar(1) });
    expect(variable.dataSync()[0]).toBe(1);
    variable.dispose();
  });

  it('survives a save/load with its state through tfjs serialization', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    model.compile({ optimizer: amsgrad({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    const xs = tf.ones([4, 3]);
    const ys = tf.zeros([4, 2]);
    await model.fit(xs, ys, { epochs: 2, verbose: 0 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.optimizer).toBeInstanceOf(AdamWOptimizer);
    expect((loaded.optimizer as AdamWOptimizer).learningRate).toBe(0.02);
    expect((loaded.optimizer as AdamWOptimizer).amsgrad).toBe(true);
    const before = (await model.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    const after = (await loaded.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    expect(after).toEqual(before);
    tf.dispose([xs, ys]);
  });

  it('rejects invalid hyperparameters, naming them', () => {
    expect(() => amsgrad({ beta1: 1 })).toThrow('AdamW: invalid beta1 1');
    expect(() => adamw({ learningRate: -1 })).toThrow('AdamW: invalid learningRate -1');
  });
});
