import { CallbackError } from '../errors.js';
import { maskedCrc32c } from './crc32c.js';

/**
 * One TFRecord: the payload's length (uint64 LE) and its masked CRC-32C, the payload, and the
 * payload's masked CRC-32C.
 */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const record = new Uint8Array(12 + payload.length + 4);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(payload.length), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return record;
}

/**
 * The payloads of a TFRecord file, every CRC checked. A record cut short at the end (a crash
 * mid-write) ends the list with `truncated: true`; a checksum that does not match is an error naming
 * `where` and the offset.
 */
export function readRecords(
  bytes: Uint8Array,
  where = 'event file',
): { records: Uint8Array[]; truncated: boolean } {
  const records: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) return { records, truncated: true };
    if (view.getUint32(offset + 8, true) !== maskedCrc32c(bytes.subarray(offset, offset + 8)))
      throw new CallbackError(`${where}: the length of the record at byte ${offset} fails its CRC`);
    const length = Number(view.getBigUint64(offset, true));
    const end = offset + 12 + length + 4;
    if (end > bytes.length) return { records, truncated: true };
    const payload = bytes.subarray(offset + 12, offset + 12 + length);
    if (view.getUint32(offset + 12 + length, true) !== maskedCrc32c(payload))
      throw new CallbackError(`${where}: the record at byte ${offset} fails its CRC`);
    records.push(payload);
    offset = end;
  }
  return { records, truncated: false };
}
