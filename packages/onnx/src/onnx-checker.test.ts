import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClassifier } from '@fmnist/model/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { saveOnnx } from './node/save-onnx.js';
import { createUserModel } from './testing/user-model.js';

// Debian's python3-onnx is installed for the system python (`apt install python3-onnx`; CI does), not
// for a pyenv python first on PATH.
const PYTHON = '/usr/bin/python3';
const hasOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
if (!hasOnnx)
  console.warn(`SKIPPED the onnx.checker tests: no 'onnx' module for ${PYTHON} (apt install python3-onnx)`);

const dir = mkdtempSync(join(tmpdir(), 'fmnist-onnx-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs ONNX's own checker, with shape inference (`full_check`), on `file`; its error text, or ''. */
function check(file: string): string {
  const script = 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)';
  const run = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
  return run.status === 0 ? '' : `${run.stderr}`.trim() || `exit ${run.status}`;
}

describe.skipIf(!hasOnnx)('onnx.checker', () => {
  it.each(['vgg', 'cnn-mlp'] as const)(
    'accepts the shipped %s model at opset 13 and 17',
    async (architecture) => {
      await tf.setBackend('cpu');
      const classifier = await loadClassifier({ architecture });
      for (const opset of [13, 17]) {
        const file = join(dir, `${architecture}-${opset}.onnx`);
        await saveOnnx(classifier.model, file, { opset });
        expect(check(file)).toBe('');
      }
      classifier.dispose();
    },
  );

  it('accepts a user model in NCHW layout, BatchNorm kept', async () => {
    const file = join(dir, 'user.onnx');
    await saveOnnx(createUserModel(), file, { inputLayout: 'NCHW', foldBatchNorm: false });
    expect(check(file)).toBe('');
  });

  it('rejects a damaged file (so its verdict means something)', async () => {
    const file = join(dir, 'damaged.onnx');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, Uint8Array.of(0x08, 0x07, 0x3a, 0x05, 0x0a, 0x01));
    expect(check(file)).not.toBe('');
  });
});
