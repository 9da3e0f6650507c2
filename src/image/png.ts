/** PNG files in and out (Node only), with pngjs: any bit depth, colour type and interlace in; RGBA or grey out. */
import pngjs from 'pngjs';
import { DataError } from '../errors.js';

const { PNG } = pngjs;

export interface RgbaImage {
  width: number;
  height: number;
  /** width x height x 4 bytes. */
  data: Uint8Array;
}

/** Decodes a PNG file's bytes to 8-bit RGBA; anything else is a DataError naming `what`. */
export function decodePng(bytes: Uint8Array, what = 'PNG file'): RgbaImage {
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new DataError(`${what}: not a readable PNG image (${(e as Error).message.split('\n')[0]})`);
  }
  if (png.width < 1 || png.height < 1) throw new DataError(`${what}: the image is empty`);
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

/** Encodes RGBA pixels as a PNG file. */
export function encodePng(image: RgbaImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

/** Grey bytes (0 black .. 255 white) to opaque RGBA. */
export function greyToRgba(grey: ArrayLike<number>, width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    data[4 * p] = data[4 * p + 1] = data[4 * p + 2] = grey[p]!;
    data[4 * p + 3] = 255;
  }
  return { width, height, data };
}
