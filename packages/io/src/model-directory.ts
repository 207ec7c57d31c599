import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { IoError } from './errors.js';

import { MODEL_FILE, modelArtifactsToFiles, WEIGHTS_FILE } from './model-artifacts.js';
import { checkWeightGroupBytes } from './weight-bytes.js';

/**
 * Writes `files` as the whole content of `dir`, atomically: they go to a sibling temporary directory
 * that then replaces the old one, so a crash mid-save leaves the previous version intact.
 */
export async function writeDirectoryAtomic(
  dir: string,
  files: Record<string, Uint8Array | string>,
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const temporary = join(
    dirname(dir),
    `.${basename(dir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  await mkdir(temporary);
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(join(temporary, name), content);
    await replaceDirectory(temporary, dir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Saves a tfjs model in the layers format (`model.json` + `weights.bin`) into a directory, atomically.
 * Works on every backend (tfjs-node's `file://` handler needs tfjs-node).
 */
export function directorySaveHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const files = modelArtifactsToFiles(artifacts);
      await writeDirectoryAtomic(dir, files);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: (files[WEIGHTS_FILE] as Uint8Array).byteLength,
        },
      };
    },
  };
}

/** Moves `from` to `to`; an existing `to` is set aside first and removed only once `from` is in place. */
async function replaceDirectory(from: string, to: string) {
  const aside = `${to}.old`;
  await rm(aside, { recursive: true, force: true });
  if (existsSync(to)) await rename(to, aside);
  await rename(from, to);
  await rm(aside, { recursive: true, force: true });
}

/** The directory to read a save from: a crash between the two renames leaves it set aside as `.old`. */
export function resolveSavedDirectory(dir: string): string {
  return !existsSync(join(dir, MODEL_FILE)) && existsSync(join(`${dir}.old`, MODEL_FILE))
    ? `${dir}.old`
    : dir;
}

/** Loads what {@link directorySaveHandler} saved (or any `model.json` with its weight files). */
export function directoryLoadHandler(dir: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const base = resolveSavedDirectory(dir);
      const modelPath = join(base, MODEL_FILE);
      let manifest: io.ModelJSON;
      try {
        manifest = JSON.parse(await readFile(modelPath, 'utf8')) as io.ModelJSON;
      } catch (error) {
        throw new IoError(`cannot read a tfjs model from ${modelPath}`, { cause: error });
      }
      const specs: io.WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of manifest.weightsManifest ?? []) {
        buffers.push(...(await readWeightGroup(base, group, modelPath)));
        specs.push(...group.weights);
      }
      const total = buffers.reduce((n, b) => n + b.length, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const buffer of buffers) {
        weightData.set(buffer, offset);
        offset += buffer.length;
      }
      return io.getModelArtifactsForJSONSync(manifest, specs, weightData.buffer);
    },
  };
}

/** The files of one weights manifest group, refused unless they hold the bytes its weights need. */
async function readWeightGroup(
  base: string,
  group: io.WeightsManifestConfig[number],
  modelPath: string,
): Promise<Buffer[]> {
  const files = group.paths.map((path) => join(base, path));
  const buffers: Buffer[] = [];
  for (const file of files) {
    try {
      buffers.push(await readFile(file));
    } catch (error) {
      throw new IoError(`cannot read ${file}, named in ${modelPath}`, { cause: error });
    }
  }
  const found = buffers.reduce((n, b) => n + b.length, 0);
  checkWeightGroupBytes(group.weights, files, found, modelPath);
  return buffers;
}
