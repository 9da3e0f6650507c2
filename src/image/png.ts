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

/**
 * The most pixels decodePng accepts: 40 megapixels (7,750 x 5,160; 160 MB as RGBA). A photo of a digit needs a
 * few megapixels at most; the cap keeps a small file that declares a huge image (a 3.5 MB file can declare
 * 60000 x 60000 grey pixels, 14 GB as RGBA) from being decoded at all, as Pillow's MAX_IMAGE_PIXELS does.
 */
export const MAX_PNG_PIXELS = 40_000_000;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The width and height from a PNG's IHDR chunk (it comes first, right after the 8-byte signature), or null
 * when the bytes do not start that way (the decoder then says what is wrong).
 */
export function pngDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16, false), height: view.getUint32(20, false) };
}

/**
 * Decodes a PNG file's bytes to 8-bit RGBA; anything else is a DataError naming `what`. The size declared in
 * the header is checked against MAX_PNG_PIXELS before anything is decoded.
 */
export function decodePng(bytes: Uint8Array, what = 'PNG file'): RgbaImage {
  const size = pngDimensions(bytes);
  if (size && (size.width === 0 || size.height === 0)) throw new DataError(`${what}: the image is empty`);
  if (size && size.width * size.height > MAX_PNG_PIXELS) {
    throw new DataError(
      `${what}: the image is ${size.width} x ${size.height} pixels, more than the ${MAX_PNG_PIXELS / 1e6} megapixels this reader accepts (scale it down)`,
    );
  }
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
