/**
 * Any picture of a digit to an MNIST input, the way MNIST's images were made: the ink's bounding box scaled
 * (area-averaged, aspect kept) to fit a 20x20 box, then placed in a 28x28 field so that its centre of mass
 * falls on pixel 14 (the measured mean of MNIST's test digits, in 0-based pixel indices). A light background
 * is inverted so the ink is bright, as in MNIST. Pure (no DOM, no file system): the CLI's `predict` and the
 * web lab's drawing pad both use it.
 */
import { DataError } from '../errors.js';

export const MNIST_SIDE = 28;
/** The box MNIST's digits were scaled to fit. */
export const MNIST_BOX = 20;
/** Where MNIST's centre of mass sits, in 0-based pixel indices (both axes). */
export const MNIST_CENTRE = 14;

/**
 * Luminance in [0, 1] of each pixel of interleaved 8-bit pixels with `channels` channels (1 grey, 2 grey +
 * alpha, 3 RGB, 4 RGBA). Transparent pixels are composited over white (a drawing on a transparent canvas).
 */
export function luminance(pixels: ArrayLike<number>, width: number, height: number, channels: 1 | 2 | 3 | 4): Float32Array {
  const out = new Float32Array(width * height);
  for (let p = 0; p < width * height; p++) {
    const o = p * channels;
    let l: number;
    if (channels <= 2) l = pixels[o]! / 255;
    else l = (0.299 * pixels[o]! + 0.587 * pixels[o + 1]! + 0.114 * pixels[o + 2]!) / 255;
    const alpha = channels === 2 ? pixels[o + 1]! / 255 : channels === 4 ? pixels[o + 3]! / 255 : 1;
    out[p] = l * alpha + (1 - alpha);
  }
  return out;
}

/**
 * Ink in [0, 1] (1 = full stroke) from luminance: the background is the brighter or darker side according to
 * the image's border, so both dark-on-light (paper, a drawing pad) and light-on-dark (MNIST) work.
 */
export function inkOf(lum: Readonly<Float32Array>, width: number, height: number): Float32Array {
  let border = 0;
  let n = 0;
  for (let x = 0; x < width; x++) {
    border += lum[x]! + lum[(height - 1) * width + x]!;
    n += 2;
  }
  for (let y = 0; y < height; y++) {
    border += lum[y * width]! + lum[y * width + width - 1]!;
    n += 2;
  }
  const lightBackground = border / n > 0.5;
  const ink = new Float32Array(lum.length);
  // Stretch so the background is 0 and the strongest stroke 1 (scans and photos are rarely pure black/white).
  let bg = 0;
  let max = 0;
  for (let p = 0; p < lum.length; p++) ink[p] = lightBackground ? 1 - lum[p]! : lum[p]!;
  const sorted = Float32Array.from(ink).sort();
  bg = sorted[Math.floor(sorted.length * 0.5)]!; // the median pixel is background in any digit picture
  for (let p = 0; p < ink.length; p++) max = Math.max(max, ink[p]!);
  const span = max - bg;
  for (let p = 0; p < ink.length; p++) ink[p] = span > 0 ? Math.max(0, (ink[p]! - bg) / span) : 0;
  return ink;
}

/** Area-averaging resample of one line: src[srcLen] to dst[dstLen] (stride-aware). */
function resampleLine(dst: Float32Array, dOff: number, dStride: number, dstLen: number, src: Readonly<Float32Array>, sOff: number, sStride: number, srcLen: number): void {
  const scale = srcLen / dstLen;
  for (let i = 0; i < dstLen; i++) {
    const a = i * scale;
    const b = a + scale;
    let sum = 0;
    for (let j = Math.floor(a); j < Math.ceil(b) && j < srcLen; j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      if (overlap > 0) sum += src[sOff + j * sStride]! * overlap;
    }
    dst[dOff + i * dStride] = sum / scale;
  }
}

/** Resamples a w x h image to nw x nh, separably, with area averaging. */
export function resample(src: Readonly<Float32Array>, w: number, h: number, nw: number, nh: number): Float32Array {
  const mid = new Float32Array(nw * h);
  for (let y = 0; y < h; y++) resampleLine(mid, y * nw, 1, nw, src, y * w, 1, w);
  const out = new Float32Array(nw * nh);
  for (let x = 0; x < nw; x++) resampleLine(out, x, nw, nh, mid, x, nw, h);
  return out;
}

/** A pixel counts as ink for the bounding box above this (ignores faint noise and JPEG-ish fringes). */
const INK_THRESHOLD = 0.1;

/**
 * The 28x28 MNIST input (bytes, 0 background to 255 ink) for a luminance image of any size. Throws a
 * DataError for an image with no ink.
 */
export function mnistDigitFromLuminance(lum: Readonly<Float32Array>, width: number, height: number): Uint8Array {
  if (width < 1 || height < 1 || lum.length !== width * height) throw new DataError(`image of ${width}x${height} pixels has ${lum.length} values`);
  const ink = inkOf(lum, width, height);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > INK_THRESHOLD) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) throw new DataError('no digit found: the image is blank');
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(ink.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + bw), y * bw);
  const s = MNIST_BOX / Math.max(bw, bh);
  const nw = Math.max(1, Math.min(MNIST_BOX, Math.round(bw * s)));
  const nh = Math.max(1, Math.min(MNIST_BOX, Math.round(bh * s)));
  const box = resample(crop, bw, bh, nw, nh);
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      const v = box[y * nw + x]!;
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  cx /= mass;
  cy /= mass;
  const clamp = (v: number, hi: number) => Math.max(0, Math.min(hi, v));
  const ox = clamp(Math.round(MNIST_CENTRE - cx), MNIST_SIDE - nw);
  const oy = clamp(Math.round(MNIST_CENTRE - cy), MNIST_SIDE - nh);
  let max = 0;
  for (let i = 0; i < box.length; i++) max = Math.max(max, box[i]!);
  const out = new Uint8Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) out[(oy + y) * MNIST_SIDE + ox + x] = Math.round((255 * box[y * nw + x]!) / max);
  }
  return out;
}

/** mnistDigitFromLuminance for interleaved 8-bit pixels (e.g. a decoded PNG, or a canvas's ImageData). */
export function mnistDigit(pixels: ArrayLike<number>, width: number, height: number, channels: 1 | 2 | 3 | 4): Uint8Array {
  return mnistDigitFromLuminance(luminance(pixels, width, height, channels), width, height);
}
