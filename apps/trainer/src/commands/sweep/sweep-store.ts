import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@fmnist/io/node';
import type { SweepMetric, SweepSpec, TrialCurve, TrialResult } from '@fmnist/training/sweeps';
import { UsageError } from '../../cli/exit-codes.js';

/**
 * A sweep's folder, the same layout on one machine or a shared file system:
 * `sweep.json` (the checked sweep), `trials/<id>/` (each trial's fmnist-train run folder, with its
 * checkpoints), `results/<id>.json` (a finished trial's record, written once, atomically), and the
 * reports (`results.md`, `results.html`, `best` → the best trial's run folder).
 */
export const trialDir = (sweepDir: string, id: string) => join(sweepDir, 'trials', id);
const resultPath = (sweepDir: string, id: string) => join(sweepDir, 'results', `${id}.json`);

/**
 * Writes the checked sweep as `sweep.json`, or finds it there already: a folder holds one sweep, so the
 * same file run again continues it, and a changed file (other trials, another metric) is refused
 * rather than mixed with the old results.
 */
export async function recordSweep(sweepDir: string, spec: SweepSpec, flag: string): Promise<void> {
  const path = join(sweepDir, 'sweep.json');
  const text = `${JSON.stringify(spec, null, 2)}\n`;
  if (existsSync(path) && (await readFile(path, 'utf8')) !== text)
    throw new UsageError(
      `${flag}: ${path} holds another sweep named ${spec.name}; rename the sweep or use another folder`,
    );
  await writeFileAtomic(path, text);
}

/** Records a trial's result; the rename makes it all or nothing, so a reader never sees half of one. */
export async function writeResult(sweepDir: string, result: TrialResult): Promise<void> {
  await writeFileAtomic(resultPath(sweepDir, result.id), `${JSON.stringify(result, null, 2)}\n`);
}

export async function readResult(sweepDir: string, id: string): Promise<TrialResult | undefined> {
  const path = resultPath(sweepDir, id);
  if (!existsSync(path)) return undefined;
  const result = JSON.parse(await readFile(path, 'utf8')) as TrialResult;
  // JSON has no NaN: a trial without a metric comes back as null.
  return { ...result, metric: result.metric ?? Number.NaN };
}

/** Every recorded result, by trial id. */
export async function readResults(sweepDir: string): Promise<Map<string, TrialResult>> {
  const dir = join(sweepDir, 'results');
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith('.json')) : [];
  const results = await Promise.all(names.map((n) => readResult(sweepDir, n.slice(0, -'.json'.length))));
  return new Map(results.filter((r) => r !== undefined).map((r) => [r.id, r]));
}

/**
 * A run folder's metric after each epoch, from the history.csv fmnist-train appends to at every epoch
 * end; a last line still being written is left out.
 */
export async function readCurve(runDir: string, metric: SweepMetric): Promise<number[]> {
  const path = join(runDir, 'history.csv');
  if (!existsSync(path)) return [];
  const text = await readFile(path, 'utf8');
  const [header, ...rows] = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean);
  const column = (header ?? '').split(',').indexOf(metric);
  if (column < 0) return [];
  return rows.map((row) => Number(row.split(',')[column]));
}

/** The other trials' curves, for the pruning rules: finished ones from their records, running ones from their folders. */
export async function otherCurves(
  sweepDir: string,
  except: string,
  metric: SweepMetric,
): Promise<TrialCurve[]> {
  const dir = join(sweepDir, 'trials');
  const results = await readResults(sweepDir);
  const running = existsSync(dir) ? (await readdir(dir)).filter((id) => !results.has(id)) : [];
  const curves = [
    ...[...results.values()]
      .filter((r) => r.id !== except)
      .map((r) => ({ values: r.curve, complete: r.status === 'complete' })),
    ...(await Promise.all(
      running
        .filter((id) => id !== except)
        .map(async (id) => ({ values: await readCurve(trialDir(sweepDir, id), metric), complete: false })),
    )),
  ];
  return curves;
}
