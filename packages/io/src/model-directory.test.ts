import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoError } from './errors.js';
import { registerFileSystemRouter } from './file-router.js';
import { directoryLoadHandler, directorySaveHandler, writeDirectoryAtomic } from './model-directory.js';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'fmnist-io-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function model(seed: number) {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 4,
        inputShape: [3],
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

const predict = (m: tfl.LayersModel) =>
  tf.tidy(() => Array.from((m.predict(tf.ones([1, 3])) as tf.Tensor).dataSync()));

describe('directory save and load handlers', () => {
  it('round-trip a model: same topology, same predictions', async () => {
    const dir = join(root, 'round-trip');
    const original = model(1);
    const result = await original.save(directorySaveHandler(dir));
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(original.countParams() * 4);
    const loaded = await tfl.loadLayersModel(directoryLoadHandler(dir));
    expect(predict(loaded)).toEqual(predict(original));
  });

  it('replace a previous save whole, leaving no temporary folder behind', async () => {
    const dir = join(root, 'replace');
    await model(1).save(directorySaveHandler(dir));
    const second = model(5);
    await second.save(directorySaveHandler(dir));
    expect(predict(await tfl.loadLayersModel(directoryLoadHandler(dir)))).toEqual(predict(second));
    expect((await readdir(root)).filter((name) => name.includes('.tmp') || name.endsWith('.old'))).toEqual(
      [],
    );
  });

  it('leave the previous save readable when a save fails part way', async () => {
    const dir = join(root, 'failed');
    const first = model(1);
    await first.save(directorySaveHandler(dir));
    const unserializable = {
      [Symbol.toPrimitive]: () => {
        throw new Error('disk full');
      },
    };
    await expect(
      writeDirectoryAtomic(dir, { 'model.json': 'x', 'weights.bin': unserializable as never }),
    ).rejects.toThrow();
    expect(predict(await tfl.loadLayersModel(directoryLoadHandler(dir)))).toEqual(predict(first));
    expect((await readdir(root)).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('read a save interrupted between its two renames from where it was set aside', async () => {
    const dir = join(root, 'interrupted');
    const first = model(2);
    await first.save(directorySaveHandler(`${dir}.old`));
    expect(existsSync(dir)).toBe(false);
    expect(predict(await tfl.loadLayersModel(directoryLoadHandler(dir)))).toEqual(predict(first));
  });

  it('name the file when there is no model to load', async () => {
    const load = tfl.loadLayersModel(directoryLoadHandler(join(root, 'nothing')));
    await expect(load).rejects.toThrow(IoError);
    await expect(tfl.loadLayersModel(directoryLoadHandler(join(root, 'nothing')))).rejects.toThrow(
      `cannot read a tfjs model from ${join(root, 'nothing', 'model.json')}`,
    );
  });
});

describe('directoryLoadHandler on a damaged folder', () => {
  it('names a weights file shorter or longer than the manifest says, with the bytes expected and found', async () => {
    const dir = join(root, 'truncated');
    const saved = model(3);
    await saved.save(directorySaveHandler(dir));
    const file = join(dir, 'weights.bin');
    const bytes = await readFile(file);
    const expected = saved.countParams() * 4;
    expect(bytes.length).toBe(expected);
    for (const found of [expected - 10, 0, expected + 4]) {
      const content = new Uint8Array(found);
      content.set(bytes.subarray(0, Math.min(found, expected)));
      await writeFile(file, content);
      await expect(tfl.loadLayersModel(directoryLoadHandler(dir))).rejects.toThrow(
        new IoError(
          `${file}: the weights manifest in ${join(dir, 'model.json')} needs ${expected} bytes, found ${found}`,
        ),
      );
    }
  });

  it('names a weights file that is missing', async () => {
    const dir = join(root, 'no-weights');
    await model(3).save(directorySaveHandler(dir));
    await rm(join(dir, 'weights.bin'));
    const load = tfl.loadLayersModel(directoryLoadHandler(dir));
    await expect(load).rejects.toThrow(
      new IoError(`cannot read ${join(dir, 'weights.bin')}, named in ${join(dir, 'model.json')}`),
    );
    await expect(load.catch((error: Error) => (error.cause as NodeJS.ErrnoException).code)).resolves.toBe(
      'ENOENT',
    );
  });

  it('checks uint8-quantized weights against their stored size', async () => {
    const dir = join(root, 'quantized');
    const weights = [
      { name: 'w', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } },
    ];
    await writeDirectoryAtomic(dir, {
      'model.json': JSON.stringify({
        modelTopology: {},
        weightsManifest: [{ paths: ['weights.bin'], weights }],
      }),
      'weights.bin': new Uint8Array(6),
    });
    const artifacts = await directoryLoadHandler(dir).load!();
    expect(artifacts.weightSpecs).toEqual(weights);
    await writeDirectoryAtomic(dir, {
      'model.json': JSON.stringify({
        modelTopology: {},
        weightsManifest: [{ paths: ['weights.bin'], weights }],
      }),
      'weights.bin': new Uint8Array(5),
    });
    await expect(directoryLoadHandler(dir).load!()).rejects.toThrow('needs 6 bytes, found 5');
  });
});

describe('registerFileSystemRouter', () => {
  it("gives model.save('file://…') and loadLayersModel('file://…/model.json') without tfjs-node, once", async () => {
    expect(registerFileSystemRouter()).toBe(true);
    expect(registerFileSystemRouter()).toBe(false);
    const dir = join(root, 'router');
    const original = model(3);
    await original.save(`file://${dir}`);
    expect(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths).toEqual([
      './weights.bin',
    ]);
    expect(predict(await tfl.loadLayersModel(`file://${dir}/model.json`))).toEqual(predict(original));
    expect(predict(await tfl.loadLayersModel(`file://${dir}`))).toEqual(predict(original));
  });
});
