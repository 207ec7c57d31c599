// The filter gradient of convolutions with few source channels (a network's first layer: 1 to 3), as
// the matrix product dW [taps * C, K] = X^T dy over output pixels, X the im2col matrix [pixels, taps * C].
// conv.ts's convFilterGradient puts the output channels K on the micro-kernel's 6 rows and taps * C on
// its 8 columns, which fits many channels; with one channel a 3x3 filter's 9 columns pad to 16 and
// its packing of x goes value by value. Here the taps are the rows (9 pad to 12) and K the columns, so
// dy's pixels are copied to the panels vector by vector.

import { ACTIVATION_LINEAR, MR, NR, tile } from './tile';

/**
 * dW[kh, kw, ci, co] = sum over n, oh, ow of x[n, oh*sh + kh*dh - padTop, ow*sw + kw*dwl - padLeft, ci]
 * * dy[n, oh, ow, co] (zero outside x), for x [N, H, W, C] and dy [N, OH, OW, K], `chunk` output pixels
 * (a multiple of 4) at a time across the batch. Scratch, 16-byte aligned: `packedX` (ceil(D / 6) * 6 *
 * chunk floats, D = kh * kw * C), `panels` (ceil(K / 8) * 8 * chunk floats), `acc` (ceil(D / 6) * 6 *
 * ceil(K / 8) * 8 floats) and `spill` (48 floats).
 */
export function convFilterGradientByTaps(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  chunk: i32,
  packedX: usize,
  panels: usize,
  acc: usize,
  spill: usize,
): void {
  const depth = kh * kw * channels;
  const blocks = (depth + MR - 1) / MR;
  const kPanels = (outC + NR - 1) / NR;
  const accRowBytes = <usize>(kPanels * NR) * 4;
  memory.fill(acc, 0, <usize>(blocks * MR) * accRowBytes);
  const pixels = batch * outH * outW;
  const plane = outH * outW;
  const blockBytes = <usize>(chunk * MR) * 4;
  const panelBytes = <usize>(chunk * NR) * 4;
  for (let p0 = 0; p0 < pixels; p0 += chunk) {
    const count = min(chunk, pixels - p0);
    const padded = (count + 3) & ~3;
    // Rows past `depth` and pixels past `count` stay zero in X; pixels past `count` also in the panels.
    memory.fill(packedX, 0, <usize>blocks * blockBytes);
    for (let p = 0; p < count; p += 4) {
      const pixel = p0 + p;
      const n = pixel / plane;
      const rest = pixel - n * plane;
      const oh = rest / outW;
      const ow = rest - oh * outW;
      const to = packedX + <usize>((p >> 2) * MR * 4) * 4;
      // One channel, stride 1, four pixels of one output row: each tap's four values are adjacent in x.
      if (channels == 1 && sw == 1 && p + 4 <= count && ow + 4 <= outW) {
        packFourPixels(x, n, height, width, oh, ow, kh, kw, sh, dh, dwl, padTop, padLeft, to, blockBytes);
        continue;
      }
      for (let l = 0; l < min(4, count - p); l++) {
        const q = rest + l;
        const nl = n + q / plane;
        const ql = q - (q / plane) * plane;
        packPixel(x, nl, height, width, channels, ql / outW, ql % outW, kh, kw, sh, sw, dh, dwl, padTop, padLeft, to + <usize>l * 4, blockBytes);
      }
    }
    packPanels(dy + <usize>p0 * <usize>outC * 4, count, padded, outC, kPanels, panels, panelBytes);
    for (let b = 0; b < blocks; b++) {
      const rows = min(MR, depth - b * MR);
      for (let q = 0; q < kPanels; q++) {
        const out = acc + <usize>(b * MR) * accRowBytes + <usize>(q * NR) * 4;
        tile(
          packedX + <usize>b * blockBytes,
          padded / 4,
          panels + <usize>q * panelBytes,
          out,
          accRowBytes,
          out,
          accRowBytes,
          rows,
          NR,
          ACTIVATION_LINEAR,
          spill,
        );
      }
    }
  }
  for (let d = 0; d < depth; d++) {
    memory.copy(dw + <usize>(d * outC) * 4, acc + <usize>d * accRowBytes, <usize>outC * 4);
  }
}

// dy's `count` pixel rows [count, K] into panels of 8 columns, [padded][8] each (zeros past K and count).
@inline
function packPanels(src: usize, count: i32, padded: i32, outC: i32, kPanels: i32, panels: usize, panelBytes: usize): void {
  const zero = f32x4.splat(0);
  for (let q = 0; q < kPanels; q++) {
    const k0 = q * NR;
    const width = min(NR, outC - k0);
    let out = panels + <usize>q * panelBytes;
    let from = src + <usize>k0 * 4;
    for (let p = 0; p < count; p++) {
      if (width == NR) {
        v128.store(out, v128.load(from));
        v128.store(out, v128.load(from, 16), 16);
      } else {
        for (let j = 0; j < NR; j++) store<f32>(out + <usize>j * 4, j < width ? load<f32>(from + <usize>j * 4) : 0);
      }
      out += NR * 4;
      from += <usize>outC * 4;
    }
    for (let p = count; p < padded; p++) {
      v128.store(out, zero);
      v128.store(out, zero, 16);
      out += NR * 4;
    }
  }
}

// Pixel (n, oh, ow)'s taps x channels into its lane of the packed rows at `to` (row d of block d / 6 at
// `to + (d / 6) * blockBytes + (d % 6) * 16`); taps outside x stay zero.
@inline
function packPixel(
  x: usize,
  n: i32,
  height: i32,
  width: i32,
  channels: i32,
  oh: i32,
  ow: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  to: usize,
  blockBytes: usize,
): void {
  for (let i = 0; i < kh; i++) {
    const ih = oh * sh + i * dh - padTop;
    if (ih < 0 || ih >= height) continue;
    for (let j = 0; j < kw; j++) {
      const iw = ow * sw + j * dwl - padLeft;
      if (iw < 0 || iw >= width) continue;
      const from = x + <usize>(((n * height + ih) * width + iw) * channels) * 4;
      for (let c = 0; c < channels; c++) {
        const d = (i * kw + j) * channels + c;
        const block = d / MR;
        store<f32>(to + <usize>block * blockBytes + <usize>((d - block * MR) * 16), load<f32>(from + <usize>c * 4));
      }
    }
  }
}

// packPixel for the four pixels (n, oh, ow..ow+3) of a one-channel, stride-1 convolution: a vector per
// tap where all four are inside x.
@inline
function packFourPixels(
  x: usize,
  n: i32,
  height: i32,
  width: i32,
  oh: i32,
  ow: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  to: usize,
  blockBytes: usize,
): void {
  for (let i = 0; i < kh; i++) {
    const ih = oh * sh + i * dh - padTop;
    if (ih < 0 || ih >= height) continue;
    const row = x + <usize>((n * height + ih) * width) * 4;
    for (let j = 0; j < kw; j++) {
      const iw = ow + j * dwl - padLeft;
      const d = i * kw + j;
      const block = d / MR;
      const at = to + <usize>block * blockBytes + <usize>((d - block * MR) * 16);
      if (iw >= 0 && iw + 4 <= width) {
        v128.store(at, v128.load(row + <usize>iw * 4));
        continue;
      }
      for (let l = 0; l < 4; l++) {
        if (iw + l >= 0 && iw + l < width) store<f32>(at + <usize>l * 4, load<f32>(row + <usize>(iw + l) * 4));
      }
    }
  }
}
