import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cwd = new URL('../../..', import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=fmnist-source', 'bin/fmnist-export.ts', ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  );

/** The lines a failure prints: exactly one, `fmnist-export: …`, no stack. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fmnist-export-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fmnist-export', () => {
  it('writes the shipped cnn-mlp uint8 model as ONNX, NCHW at opset 17', async () => {
    const out = join(dir, 'cnn.onnx');
    const result = cli(
      '--onnx',
      out,
      '--architecture',
      'cnn-mlp',
      '--weights',
      'uint8',
      '--opset',
      '17',
      '--layout',
      'NCHW',
    );
    expect(result.stderr).not.toContain('    at ');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/: fmnist_\w+ from \S+cnn-mlp-uint8, opset 17, NCHW input\n$/);
    const bytes = await readFile(out);
    // ModelProto starts with ir_version (field 1): 8 for opset 17.
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 8]);
  });

  it('needs --onnx, and one model (exit 2)', () => {
    let result = cli('--architecture', 'vgg');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('fmnist-export: --onnx FILE is required');
    result = cli('--onnx', join(dir, 'x.onnx'), '--model', dir, '--weights', 'uint8');
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toBe(
      'fmnist-export: --model and --architecture/--weights exclude each other: give one model',
    );
    result = cli('--onnx', join(dir, 'x.onnx'), '--opset', '12');
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toBe("fmnist-export: --opset must be one of 13, 14, 15, 16, 17, got '12'");
  });

  it('says in one line that a model folder is missing (exit 3)', () => {
    const missing = join(dir, 'no-such-model');
    const result = cli('--onnx', join(dir, 'x.onnx'), '--model', missing);
    expect(result.status).toBe(3);
    expect(oneLine(result.stderr)).toBe(
      `fmnist-export: cannot read a tfjs model from ${join(missing, 'model.json')}`,
    );
  });

  it('refuses a layer it cannot export by name, writing nothing (exit 3)', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    const { directorySaveHandler } = await import('@fmnist/io/node');
    await tf.setBackend('cpu');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2dTranspose({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, name: 'up' }),
        tfl.layers.flatten(),
      ],
    });
    await model.save(directorySaveHandler(join(dir, 'transpose')));
    const out = join(dir, 'transpose.onnx');
    const result = cli('--onnx', out, '--model', join(dir, 'transpose'));
    expect(result.status).toBe(3);
    expect(oneLine(result.stderr)).toMatch(
      /^fmnist-export: toOnnx: layer 'up' \(Conv2DTranspose\) has no ONNX conversion; supported layers: Conv2D, /,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('says in one line that the output cannot be written (exit 3)', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    const result = cli('--onnx', join(file, 'model.onnx'));
    expect(result.status).toBe(3);
    expect(oneLine(result.stderr)).toBe(
      `fmnist-export: saveOnnx: cannot write ${join(file, 'model.onnx')} (EEXIST)`, // mkdir of a path that is a file
    );
  });
});
