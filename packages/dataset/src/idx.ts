import { DatasetError } from './errors.js';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: IdxData;
}

// Type codes from the IDX format description (yann.lecun.com/exdb/mnist, "THE IDX FILE FORMAT").
const IDX_TYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  8: { dtype: 'uint8', bytes: 1 },
  9: { dtype: 'int8', bytes: 1 },
  11: { dtype: 'int16', bytes: 2 },
  12: { dtype: 'int32', bytes: 4 },
  13: { dtype: 'float32', bytes: 4 },
  14: { dtype: 'float64', bytes: 8 },
};

/**
 * Parses an IDX file (big-endian, any element type). The header is checked against the bytes actually
 * present before anything is allocated, so a corrupt header cannot make it allocate gigabytes.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetError(`${name}: file is ${bytes.length} bytes, too short for an IDX header (4 bytes)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const found = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(
      `${name}: bad magic number ${found}; an IDX file starts with 00 00 <type> <dims>` +
        (bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this looks gzip-compressed: decompress it first)' : ''),
    );
  }
  const typeCode = bytes[2]!;
  const type = IDX_TYPES[typeCode];
  if (!type) {
    throw new DatasetError(`${name}: unknown IDX element type 0x${typeCode.toString(16).padStart(2, '0')}`);
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new DatasetError(`${name}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      `${name}: truncated header: ${rank} dimensions need ${headerBytes} bytes, file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let elements = 1;
  for (let i = 0; i < rank; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    shape.push(size);
    elements *= size;
  }
  const expected = headerBytes + elements * type.bytes;
  const available = bytes.length;
  if (expected > available) {
    throw new DatasetError(
      `${name}: truncated data: header shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, file has ${available}`,
    );
  }
  if (expected < available) {
    throw new DatasetError(
      `${name}: ${available - expected} trailing bytes after the data declared by shape [${shape.join(', ')}]`,
    );
  }
  return { dtype: type.dtype, shape, data: readElements(view, headerBytes, elements, type.dtype) };
}

function readElements(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count);
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Writes an IDX file: the inverse of {@link parseIdx}, for fixtures and exports. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const entry = Object.entries(IDX_TYPES).find(([, t]) => t.dtype === array.dtype);
  if (!entry) throw new DatasetError(`encodeIdx: unknown dtype ${array.dtype}`);
  const [code, type] = entry;
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new DatasetError(
      `encodeIdx: shape [${array.shape.join(', ')}] holds ${count} elements, data has ${array.data.length}`,
    );
  }
  const header = 4 + 4 * array.shape.length;
  const out = new Uint8Array(header + count * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = Number(code);
  out[3] = array.shape.length;
  array.shape.forEach((size, i) => {
    view.setUint32(4 + 4 * i, size, false);
  });
  for (let i = 0; i < count; i++) {
    const v = array.data[i]!;
    const at = header + i * type.bytes;
    switch (array.dtype) {
      case 'uint8':
        view.setUint8(at, v);
        break;
      case 'int8':
        view.setInt8(at, v);
        break;
      case 'int16':
        view.setInt16(at, v, false);
        break;
      case 'int32':
        view.setInt32(at, v, false);
        break;
      case 'float32':
        view.setFloat32(at, v, false);
        break;
      case 'float64':
        view.setFloat64(at, v, false);
        break;
    }
  }
  return out;
}
