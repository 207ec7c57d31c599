import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { ClassifierError } from '../errors.js';
import type { RawImage } from '../preprocess.js';

export function isEncodedImage(bytes: Uint8Array): boolean {
  return isPng(bytes) || isJpeg(bytes);
}

const isPng = (b: Uint8Array) =>
  b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Decodes PNG or JPEG bytes (pure JavaScript, no native modules) to pixels. */
export function decodeImage(bytes: Uint8Array): RawImage {
  return decodeImageFor(bytes, 'decodeImage');
}

/** `decodeImage`, its errors naming `caller`, the public function the bytes were given to. */
export function decodeImageFor(bytes: Uint8Array, caller: string): RawImage {
  try {
    if (isPng(bytes)) {
      const png = decodePng(bytes);
      const channels = png.channels;
      const scale = png.depth === 16 ? 1 / 257 : 1;
      const data = scale === 1 ? png.data : Float32Array.from(png.data, (v) => v * scale);
      if (channels === 2) {
        // Grey + alpha: expand to RGBA.
        const rgba = new Float32Array(png.width * png.height * 4);
        for (let i = 0; i < png.width * png.height; i++) {
          rgba.set([data[2 * i]!, data[2 * i]!, data[2 * i]!, data[2 * i + 1]!], 4 * i);
        }
        return { data: rgba, width: png.width, height: png.height, channels: 4 };
      }
      return { data, width: png.width, height: png.height, channels: channels as 1 | 3 | 4 };
    }
    if (isJpeg(bytes)) {
      const jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true });
      return { data: jpeg.data, width: jpeg.width, height: jpeg.height, channels: 4 };
    }
  } catch (error) {
    throw new ClassifierError(`${caller}: unreadable image bytes`, { cause: error });
  }
  throw new ClassifierError(`${caller}: bytes are neither PNG nor JPEG`);
}
