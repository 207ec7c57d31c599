import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { earlyStopping } from './early-stopping.js';
import { modelCheckpoint } from './model-checkpoint.js';
import { ProgressBar } from './progress-bar.js';
import { drive, tf, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-lines-');

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A terminal stream and console.log/warn, in the order things were written. */
function recordOutput() {
  const events: string[] = [];
  const stream = { isTTY: true, write: (text: string) => events.push(`stream:${text}`) };
  vi.spyOn(console, 'log').mockImplementation((text: string) => events.push(`log:${text}`));
  vi.spyOn(console, 'warn').mockImplementation((text: string) => events.push(`warn:${text}`));
  return { events, stream };
}

describe('callback messages', () => {
  it('start on their own line under a live progress bar, with rounded numbers and the saved path', async () => {
    const { events, stream } = recordOutput();
    const model = tinyModel();
    const bar = new ProgressBar({ stream });
    const checkpoint = modelCheckpoint({
      path: `${root()}/best-{epoch:02d}`,
      monitor: 'loss',
      saveBestOnly: true,
      verbose: 1,
    });
    for (const callback of [bar, checkpoint]) {
      callback.setModel(model);
      callback.setParams({ epochs: 1, steps: 2 });
    }
    await bar.onEpochBegin(0);
    await bar.onBatchEnd(1, { loss: 0.5, size: 8 });
    await checkpoint.onEpochEnd(0, { loss: 1.0466235876083374 });
    const message = events.findIndex((e) => e.startsWith('log:'));
    expect(events[message - 1]).toBe('stream:\n');
    expect(events[message]).toBe(
      `log:Epoch 1: loss improved from inf to 1.04662, saving model to ${root()}/best-01`,
    );
  });

  it('earlyStopping warns, as its siblings do, when its monitored value is missing', async () => {
    const { events } = recordOutput();
    const model = tinyModel();
    await drive(earlyStopping({ monitor: 'val_loss', patience: 1 }), model, 'loss', [1, 2, 3], () => 0);
    expect(events.filter((e) => e.startsWith('warn:'))).toEqual(
      Array(3).fill("warn:earlyStopping: 'val_loss' is not in the logs (loss); not stopping on it"),
    );
    expect(model.stopTraining).toBeFalsy();
  });
});
