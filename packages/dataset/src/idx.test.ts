import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { encodeIdx, type IdxDtype, parseIdx } from './idx.js';

const header = (type: number, dims: number[]) => {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  return out;
};

describe('parseIdx', () => {
  const cases: [IdxDtype, number[]][] = [
    ['uint8', [0, 1, 255, 128]],
    ['int8', [-128, -1, 0, 127]],
    ['int16', [-32768, -2, 1, 32767]],
    ['int32', [-2147483648, -5, 6, 2147483647]],
    ['float32', [-1.5, 0, 3.25, 1e20]],
    ['float64', [-1e-300, 0, Math.PI, 1e300]],
  ];
  it.each(cases)('reads big-endian %s data and its shape', (dtype, values) => {
    const bytes = encodeIdx({ dtype, shape: [2, 2], data: Float64Array.from(values) as never });
    const parsed = parseIdx(bytes, 'f.idx');
    expect(parsed.dtype).toBe(dtype);
    expect(parsed.shape).toEqual([2, 2]);
    expect(Array.from(parsed.data)).toEqual(dtype === 'float32' ? values.map(Math.fround) : values);
  });

  it('reads the big-endian byte order of the format, not the platform order', () => {
    const bytes = new Uint8Array([...header(0x0b, [1]), 0x01, 0x02]);
    expect(Array.from(parseIdx(bytes).data)).toEqual([0x0102]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array([0, 0]), /f\.idx: file is 2 bytes, too short/],
    ['bad magic', new Uint8Array([1, 2, 8, 1, 0, 0, 0, 0]), /f\.idx: bad magic number 01 02 08 01/],
    ['gzip data', new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), /gzip-compressed/],
    ['unknown type', header(0x0a, [1]), /f\.idx: unknown IDX element type 0x0a/],
    ['zero dims', header(0x08, []), /0 dimensions/],
    ['truncated header', header(0x08, [1, 1]).subarray(0, 8), /truncated header: 2 dimensions need 12 bytes/],
    [
      'truncated data',
      new Uint8Array([...header(0x08, [3]), 1, 2]),
      /truncated data: .*needs 11 bytes, file has 10/,
    ],
    ['trailing bytes', new Uint8Array([...header(0x08, [1]), 1, 2]), /1 trailing bytes/],
    ['huge header claim', header(0x0e, [0xffffffff, 0xffffffff, 0xffffffff]), /truncated data/],
  ];
  it.each(bad)('rejects %s with an error naming the file', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 'f.idx')).toThrow(DatasetError);
    expect(() => parseIdx(bytes, 'f.idx')).toThrow(message);
  });
});
