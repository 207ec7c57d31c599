import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TeacherIdentity } from './distill.js';

export interface Provenance {
  /** The command that started the run. */
  command: string;
  /** Present when the run was interrupted and continued with `--resume`. */
  resumed?: boolean;
  recipe: unknown;
  /** For a distilled model: the weights each teacher named in the recipe stood for. */
  teachers?: TeacherIdentity[];
  epochs: number;
  seed: number;
  backend: string;
  threads: number;
  trainSeconds: number;
  testAccuracy: number;
  /** All weights, BatchNorm's moving statistics included (`countParams()`). */
  parameters: number;
  /** The weights training updates. */
  trainableParameters: number;
  date: string;
  /** SHA-256 of `weights.bin`. */
  weightsSha256: string;
}

/** Writes `provenance.json` beside a saved model: how it was made, how good it is, and its weights' hash. */
export async function writeProvenance(
  modelDir: string,
  fields: Omit<Provenance, 'weightsSha256'>,
): Promise<Provenance> {
  const weights = await readFile(join(modelDir, 'weights.bin'));
  const provenance: Provenance = {
    ...fields,
    weightsSha256: createHash('sha256').update(weights).digest('hex'),
  };
  await writeFile(join(modelDir, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);
  return provenance;
}
