import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../cli/exit-codes.js';

/** The file that makes a folder an ensemble teacher (fmnist-sweep --ensemble writes it). */
export const ENSEMBLE_FILE = 'ensemble.json';

export interface EnsembleFile {
  /** Model folders, relative to the ensemble's folder. */
  members: string[];
  /** What each member was (informative). */
  trials?: unknown[];
}

/**
 * A teacher folder holding `ensemble.json` stands for its member models (their probabilities are averaged
 * with the other teachers'); any other teacher is itself.
 */
export function expandEnsemble(teacher: string): string[] {
  const file = join(teacher, ENSEMBLE_FILE);
  if (!existsSync(file)) return [teacher];
  let parsed: EnsembleFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as EnsembleFile;
  } catch (error) {
    throw new UsageError(`--teacher ${teacher}: ${ENSEMBLE_FILE} is not JSON (${(error as Error).message})`);
  }
  const { members } = parsed;
  if (!Array.isArray(members) || members.length === 0 || members.some((m) => typeof m !== 'string'))
    throw new UsageError(
      `--teacher ${teacher}: ${ENSEMBLE_FILE}'s members must be a non-empty list of folders`,
    );
  return members.map((m) => join(teacher, m));
}
