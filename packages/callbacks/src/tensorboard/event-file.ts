import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CallbackError } from '../errors.js';
import { decodeEvent, encodeEvent, FILE_VERSION, type TensorBoardEvent } from './events.js';
import { frameRecord, readRecords } from './records.js';

let filesOpened = 0;

/**
 * A TensorBoard event file in `dir` (created if needed), written one whole record per append, so a
 * crash leaves it readable up to the last event. Throws a CallbackError naming `dir` if it cannot be
 * written.
 */
export class EventFileWriter {
  readonly path: string;

  constructor(dir: string) {
    const seconds = Math.floor(Date.now() / 1000);
    // TensorBoard reads every file whose name contains "tfevents"; the suffix keeps writers apart.
    this.path = join(dir, `events.out.tfevents.${seconds}.${hostname()}.${process.pid}.${filesOpened++}`);
    try {
      mkdirSync(dir, { recursive: true });
      appendFileSync(
        this.path,
        frameRecord(encodeEvent({ wallTime: Date.now() / 1000, step: 0, fileVersion: FILE_VERSION })),
      );
    } catch (error) {
      throw new CallbackError(`tensorBoard: cannot write event files in ${dir}`, { cause: error });
    }
  }

  write(event: TensorBoardEvent): void {
    const record = frameRecord(encodeEvent(event));
    try {
      appendFileSync(this.path, record);
    } catch (error) {
      throw new CallbackError(`tensorBoard: cannot append an event to ${this.path}`, { cause: error });
    }
  }
}

/**
 * The events of a TensorBoard event file, every CRC checked: a checksum failure is an error naming the
 * file; a last record cut short (a crash mid-write) is left out and reported as `truncated`.
 */
export async function readEventFile(
  path: string,
): Promise<{ events: TensorBoardEvent[]; truncated: boolean }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CallbackError(`readEventFile: cannot read ${path}`, { cause: error });
  }
  const { records, truncated } = readRecords(bytes, path);
  const events = records.map((record, i) => {
    try {
      return decodeEvent(record);
    } catch (error) {
      throw new CallbackError(`readEventFile: record ${i} of ${path} is not a TensorBoard event`, {
        cause: error,
      });
    }
  });
  return { events, truncated };
}
