import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@fmnist/io/node';
import type { TrialResult } from '@fmnist/training/sweeps';
import { UsageError } from '../../cli/exit-codes.js';
import { ENSEMBLE_FILE, type EnsembleFile } from '../train/ensemble-teacher.js';

/**
 * Writes `ensemble/` in the sweep's folder: the best `k` complete trials' models (copied, so the folder
 * stands alone) and `ensemble.json` naming them. `fmnist-train --teacher ensemble` takes the folder as
 * those k teachers, whose class probabilities it averages. Returns the folder.
 */
export async function writeEnsemble(sweepDir: string, ranked: TrialResult[], k: number): Promise<string> {
  const members = ranked.filter((r) => r.status === 'complete').slice(0, k);
  if (members.length < k)
    throw new UsageError(`--ensemble ${k}: the sweep has ${members.length} complete trial(s)`);
  const dir = join(sweepDir, 'ensemble');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const m of members) await cp(join(sweepDir, m.runDir, 'model'), join(dir, m.id), { recursive: true });
  const file: EnsembleFile = {
    members: members.map((m) => m.id),
    trials: members.map(({ id, metric, testAccuracy, values, seed }) => ({
      id,
      metric,
      testAccuracy,
      values,
      seed,
    })),
  };
  await writeFileAtomic(join(dir, ENSEMBLE_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return dir;
}
