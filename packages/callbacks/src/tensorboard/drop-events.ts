import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@fmnist/io/node';
import { fileStep } from '../file-step.js';
import { decodeEvent, type TensorBoardEvent } from './events.js';
import { frameRecord, readRecords } from './records.js';

/**
 * Rewrites each event file in `dir` (atomically) without the events `drop` picks, and without a last
 * record cut short by a crash; files with nothing to drop are left as they are.
 */
export async function dropEvents(dir: string, drop: (event: TensorBoardEvent) => boolean): Promise<void> {
  if (!existsSync(dir)) return;
  const names = await fileStep(`tensorBoard: cannot list ${dir}`, () => readdir(dir));
  for (const name of names.filter((n) => n.includes('tfevents') && !n.endsWith('.tmp'))) {
    const path = join(dir, name);
    const bytes = await fileStep(`tensorBoard: cannot read ${path}`, () => readFile(path));
    const { records, truncated } = readRecords(bytes, path);
    const kept = records.filter((record) => !drop(decodedOrEmpty(record)));
    if (kept.length === records.length && !truncated) continue;
    const framed = kept.map(frameRecord);
    const out = new Uint8Array(framed.reduce((n, r) => n + r.length, 0));
    framed.reduce((offset, r) => {
      out.set(r, offset);
      return offset + r.length;
    }, 0);
    await fileStep(`tensorBoard: cannot rewrite ${path} without the events after the resume`, () =>
      writeFileAtomic(path, out),
    );
  }
}

/** An event as `decodeEvent` reads it; a record it cannot read counts as an event without values. */
function decodedOrEmpty(record: Uint8Array): TensorBoardEvent {
  try {
    return decodeEvent(record);
  } catch {
    return { wallTime: 0, step: 0 };
  }
}
