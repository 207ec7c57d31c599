import { CallbackError } from '../errors.js';

// The few protobuf wire types TensorBoard's Event records need: varints, 32/64-bit floats and
// length-delimited fields (strings, bytes, nested messages, packed doubles).

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array) {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private key(field: number, wireType: number) {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number | bigint) {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.push(Uint8Array.from(bytes));
  }

  int(field: number, value: number | bigint): this {
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  double(field: number, value: number): this {
    this.key(field, FIXED64);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.push(bytes);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, message: ProtoWriter): this {
    return this.bytes(field, message.finish());
  }

  packedDoubles(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
    return this.bytes(field, bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** One decoded field: varints as bigint, fixed32/64 as raw little-endian bytes, the rest as bytes. */
interface ProtoField {
  field: number;
  wireType: number;
  value: bigint | Uint8Array;
}

/** Decodes one message's fields, in order; throws on a truncated or malformed message. */
export function readProto(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (offset >= bytes.length) throw new CallbackError('protobuf: truncated varint');
      const byte = bytes[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  const take = (n: number) => {
    if (offset + n > bytes.length) throw new CallbackError('protobuf: truncated field');
    const value = bytes.subarray(offset, offset + n);
    offset += n;
    return value;
  };
  while (offset < bytes.length) {
    const key = Number(varint());
    const wireType = key & 7;
    const field = key >>> 3;
    if (wireType === VARINT) fields.push({ field, wireType, value: varint() });
    else if (wireType === FIXED64) fields.push({ field, wireType, value: take(8) });
    else if (wireType === FIXED32) fields.push({ field, wireType, value: take(4) });
    else if (wireType === LENGTH_DELIMITED) fields.push({ field, wireType, value: take(Number(varint())) });
    else throw new CallbackError(`protobuf: unsupported wire type ${wireType}`);
  }
  return fields;
}
