import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf-writer.js';

// Expected bytes from the protobuf encoding guide (https://protobuf.dev/programming-guides/encoding/).
describe('ProtoWriter', () => {
  it('writes varints, negative ones as ten bytes', () => {
    expect([...new ProtoWriter().varint(1, 150).bytes()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().varint(3, -1).bytes()]).toEqual([0x18, ...Array(9).fill(0xff), 0x01]);
    expect(() => new ProtoWriter().varint(1, 2 ** 53)).toThrow(RangeError);
  });

  it('writes strings, floats and nested messages length-delimited', () => {
    expect([...new ProtoWriter().string(2, 'testing').bytes()]).toEqual([
      0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
    ]);
    expect([...new ProtoWriter().float(2, 1).bytes()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect([...new ProtoWriter().message(3, (m) => m.varint(1, 150)).bytes()]).toEqual([
      0x1a, 0x03, 0x08, 0x96, 0x01,
    ]);
  });
});
