import { existsSync, readFileSync } from 'node:fs';
import type { TrainingHistory } from '@fmnist/eval';

/** Reads a history.csv written by csvLogger back into per-key series (for the report's curves). */
export function readHistoryCsv(path: string): TrainingHistory {
  if (!existsSync(path)) return {};
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = (header ?? '').split(',');
  const history: TrainingHistory = {};
  for (const row of rows) {
    row.split(',').forEach((cell, i) => {
      const key = keys[i]!;
      if (key === 'epoch' || cell === '') return;
      history[key] = [...(history[key] ?? []), Number(cell)];
    });
  }
  return history;
}
