// The few protobuf wire types ONNX's ModelProto subset needs (https://protobuf.dev/programming-guides/encoding/):
// varints (0), little-endian 32-bit (5) and length-delimited (2) fields. Hand-written so that the package
// carries no protobuf runtime and no generated code: ONNX files are written, never read, here.

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;
const utf8 = new TextEncoder();

/** Builds one protobuf message as a list of byte chunks; `bytes()` joins them. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /** An int32/int64/enum field. Negative values take ten bytes (two's complement), as protobuf says. */
  varint(field: number, value: number): this {
    return this.tag(field, WIRE_VARINT).rawVarint(value);
  }

  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.tag(field, WIRE_FIXED32).push(bytes);
  }

  string(field: number, value: string): this {
    return this.bytesField(field, utf8.encode(value));
  }

  bytesField(field: number, value: Uint8Array): this {
    return this.tag(field, WIRE_LENGTH_DELIMITED).rawVarint(value.length).push(value);
  }

  /** An embedded message, encoded by `write` into a writer of its own. */
  message(field: number, write: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytesField(field, inner.bytes());
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): this {
    return this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf varint: ${value} is not a safe integer`);
    let rest = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      out.push(rest > 0n ? low | 0x80 : low);
    } while (rest > 0n);
    return this.push(Uint8Array.from(out));
  }

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }
}
