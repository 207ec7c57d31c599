// Binary ops of an NHWC tensor and a per-channel row (broadcast over every other axis), on
// tfjs-backend-wasm's heap (see conv.ts), four channels a vector.

/** Op codes, as src/kernels/channel-binary.ts passes them. */
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;

@inline
function vectorOp(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline
function scalarOp(op: i32, a: f32, b: f32): f32 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  return a / b;
}

/**
 * out[p, c] = full[p, c] op row[c] for `pixels` rows of `channels`, or row[c] op full[p, c] when
 * `rowFirst` is 1: the same IEEE operations as tfjs's broadcasting kernels, without their per-element
 * index arithmetic.
 */
export function channelBinary(
  op: i32,
  full: usize,
  row: usize,
  out: usize,
  pixels: i32,
  channels: i32,
  rowFirst: i32,
): void {
  const rowBytes = <usize>channels * 4;
  const vectorBytes = rowBytes & ~15;
  let from = full;
  let to = out;
  for (let p = 0; p < pixels; p++) {
    let o: usize = 0;
    for (; o < vectorBytes; o += 16) {
      const a = v128.load(from + o);
      const b = v128.load(row + o);
      v128.store(to + o, rowFirst ? vectorOp(op, b, a) : vectorOp(op, a, b));
    }
    for (; o < rowBytes; o += 4) {
      const a = load<f32>(from + o);
      const b = load<f32>(row + o);
      store<f32>(to + o, rowFirst ? scalarOp(op, b, a) : scalarOp(op, a, b));
    }
    from += rowBytes;
    to += rowBytes;
  }
}
