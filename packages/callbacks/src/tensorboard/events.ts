import { ProtoWriter, readProto } from './protobuf.js';

// Field numbers of tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto.
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5 } as const;
const VALUE = { tag: 1, simpleValue: 2, image: 4, histo: 5 } as const;
const IMAGE = { height: 1, width: 2, colorspace: 3, encoded: 4 } as const;
const HISTO = { min: 1, max: 2, num: 3, sum: 4, sumSquares: 5, bucketLimit: 6, bucket: 7 } as const;

export const FILE_VERSION = 'brain.Event:2';

export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** The right edge of each bucket. */
  bucketLimit: number[];
  bucket: number[];
}

export interface SummaryImage {
  height: number;
  width: number;
  /** 1 grey, 3 RGB, 4 RGBA. */
  colorspace: number;
  /** PNG bytes. */
  encoded: Uint8Array;
}

export type SummaryValue = { tag: string } & (
  | { simpleValue: number }
  | { histogram: Histogram }
  | { image: SummaryImage }
);

export interface TensorBoardEvent {
  /** Seconds since the epoch. */
  wallTime: number;
  step: number;
  fileVersion?: string;
  values?: SummaryValue[];
}

export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  const proto = new ProtoWriter().double(EVENT.wallTime, event.wallTime).int(EVENT.step, event.step);
  if (event.fileVersion !== undefined) proto.string(EVENT.fileVersion, event.fileVersion);
  if (event.values) {
    const summary = new ProtoWriter();
    for (const value of event.values) summary.message(1, encodeValue(value));
    proto.message(EVENT.summary, summary);
  }
  return proto.finish();
}

function encodeValue(value: SummaryValue): ProtoWriter {
  const proto = new ProtoWriter().string(VALUE.tag, value.tag);
  if ('simpleValue' in value) return proto.float(VALUE.simpleValue, value.simpleValue);
  if ('histogram' in value) {
    const h = value.histogram;
    return proto.message(
      VALUE.histo,
      new ProtoWriter()
        .double(HISTO.min, h.min)
        .double(HISTO.max, h.max)
        .double(HISTO.num, h.num)
        .double(HISTO.sum, h.sum)
        .double(HISTO.sumSquares, h.sumSquares)
        .packedDoubles(HISTO.bucketLimit, h.bucketLimit)
        .packedDoubles(HISTO.bucket, h.bucket),
    );
  }
  const image = value.image;
  return proto.message(
    VALUE.image,
    new ProtoWriter()
      .int(IMAGE.height, image.height)
      .int(IMAGE.width, image.width)
      .int(IMAGE.colorspace, image.colorspace)
      .bytes(IMAGE.encoded, image.encoded),
  );
}

/** Decodes what `encodeEvent` writes (and the same fields of events written by TensorFlow). */
export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  const event: TensorBoardEvent = { wallTime: 0, step: 0 };
  for (const { field, value } of readProto(bytes)) {
    if (field === EVENT.wallTime) event.wallTime = float64(value);
    else if (field === EVENT.step) event.step = Number(BigInt.asIntN(64, value as bigint));
    else if (field === EVENT.fileVersion) event.fileVersion = new TextDecoder().decode(value as Uint8Array);
    else if (field === EVENT.summary) {
      // Values of kinds this module does not write (audio, tensors of TF2's summary API) are left out.
      event.values = readProto(value as Uint8Array)
        .filter((f) => f.field === 1)
        .flatMap((f) => decodeValue(f.value as Uint8Array) ?? []);
    }
  }
  return event;
}

function decodeValue(bytes: Uint8Array): SummaryValue | undefined {
  let tag = '';
  let rest: Omit<SummaryValue, 'tag'> | undefined;
  for (const { field, value } of readProto(bytes)) {
    if (field === VALUE.tag) tag = new TextDecoder().decode(value as Uint8Array);
    else if (field === VALUE.simpleValue) rest = { simpleValue: float32(value) };
    else if (field === VALUE.histo) rest = { histogram: decodeHistogram(value as Uint8Array) };
    else if (field === VALUE.image) rest = { image: decodeImage(value as Uint8Array) };
  }
  return rest ? ({ tag, ...rest } as SummaryValue) : undefined;
}

function decodeHistogram(bytes: Uint8Array): Histogram {
  const h: Histogram = { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  for (const { field, value } of readProto(bytes)) {
    if (field === HISTO.min) h.min = float64(value);
    else if (field === HISTO.max) h.max = float64(value);
    else if (field === HISTO.num) h.num = float64(value);
    else if (field === HISTO.sum) h.sum = float64(value);
    else if (field === HISTO.sumSquares) h.sumSquares = float64(value);
    else if (field === HISTO.bucketLimit) h.bucketLimit = packedDoubles(value as Uint8Array);
    else if (field === HISTO.bucket) h.bucket = packedDoubles(value as Uint8Array);
  }
  return h;
}

function decodeImage(bytes: Uint8Array): SummaryImage {
  const image: SummaryImage = { height: 0, width: 0, colorspace: 0, encoded: new Uint8Array() };
  for (const { field, value } of readProto(bytes)) {
    if (field === IMAGE.height) image.height = Number(value);
    else if (field === IMAGE.width) image.width = Number(value);
    else if (field === IMAGE.colorspace) image.colorspace = Number(value);
    else if (field === IMAGE.encoded) image.encoded = (value as Uint8Array).slice();
  }
  return image;
}

function view(value: bigint | Uint8Array) {
  const bytes = value as Uint8Array;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
const float64 = (value: bigint | Uint8Array) => view(value).getFloat64(0, true);
const float32 = (value: bigint | Uint8Array) => view(value).getFloat32(0, true);
function packedDoubles(bytes: Uint8Array): number[] {
  const v = view(bytes);
  return Array.from({ length: bytes.length / 8 }, (_, i) => v.getFloat64(i * 8, true));
}

/** Count, sum and `buckets` equal-width buckets between the smallest and largest value. */
export function histogramOf(values: ArrayLike<number>, buckets = 30): Histogram {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  if (values.length === 0)
    return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  const width = (max - min) / buckets;
  if (width === 0)
    return { min, max, num: values.length, sum, sumSquares, bucketLimit: [max], bucket: [values.length] };
  const bucket = new Array<number>(buckets).fill(0);
  for (let i = 0; i < values.length; i++)
    bucket[Math.min(buckets - 1, Math.floor((values[i]! - min) / width))]! += 1;
  const bucketLimit = bucket.map((_, i) => (i === buckets - 1 ? max : min + (i + 1) * width));
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}
