import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
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
