/**
 * Pictures of weights and digits on a canvas (browser code, no imports, shared by the report and the lab).
 * A hidden unit's first-layer weights are a 28x28 picture: what the unit looks for ("weights as
 * high-dimensional shapes"). Each unit is scaled by its own largest |w|, blue negative, white zero, red positive.
 */

/** One unit's weights as RGBA: column `unit` of W[inSize, units], drawn h x w. */
export function weightRgba(out: Uint8ClampedArray, weights: ArrayLike<number>, units: number, unit: number, h: number, w: number): Uint8ClampedArray {
  let max = 1e-12;
  for (let p = 0; p < h * w; p++) max = Math.max(max, Math.abs(weights[p * units + unit]!));
  for (let p = 0; p < h * w; p++) {
    const v = weights[p * units + unit]! / max; // [-1, 1]
    const a = Math.min(1, Math.abs(v));
    // white -> red (positive) or white -> blue (negative)
    const [r, g, b] = v >= 0 ? [255 - 40 * a, 255 - 215 * a, 255 - 215 * a] : [255 - 225 * a, 255 - 160 * a, 255 - 40 * a];
    out[4 * p] = r;
    out[4 * p + 1] = g;
    out[4 * p + 2] = b;
    out[4 * p + 3] = 255;
  }
  return out;
}

/**
 * Draws the first `count` units of W[inSize, units] as a grid of h x w pictures, `scale` canvas pixels per
 * weight, one weight-sized grey line between pictures. All pictures go into one ImageData and one scaled
 * draw (a few milliseconds, so the lab can redraw while training).
 */
export function drawWeightGrid(canvas: HTMLCanvasElement, weights: ArrayLike<number>, units: number, count: number, h: number, w: number, cols: number, scale: number): void {
  const rows = Math.ceil(count / cols);
  const iw = cols * (w + 1) + 1;
  const ih = rows * (h + 1) + 1;
  const grid = new ImageData(iw, ih);
  grid.data.fill(136); // grey gaps (and opaque: alpha 136 is overwritten below)
  for (let i = 3; i < grid.data.length; i += 4) grid.data[i] = 255;
  const one = new Uint8ClampedArray(w * h * 4);
  for (let u = 0; u < count; u++) {
    weightRgba(one, weights, units, u, h, w);
    const x0 = (u % cols) * (w + 1) + 1;
    const y0 = Math.floor(u / cols) * (h + 1) + 1;
    for (let y = 0; y < h; y++) grid.data.set(one.subarray(y * w * 4, (y + 1) * w * 4), ((y0 + y) * iw + x0) * 4);
  }
  const tmp = document.createElement('canvas');
  tmp.width = iw;
  tmp.height = ih;
  tmp.getContext('2d')!.putImageData(grid, 0, 0);
  if (canvas.width !== iw * scale) canvas.width = iw * scale;
  if (canvas.height !== ih * scale) canvas.height = ih * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, iw * scale, ih * scale);
}

/** Draws a greyscale image (0 = background, 255 = ink, MNIST's convention) as dark ink on white. */
export function drawDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, h: number, w: number, scale: number): void {
  canvas.width = w * scale;
  canvas.height = h * scale;
  const img = new ImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const v = 255 - pixels[p]!;
    img.data[4 * p] = v;
    img.data[4 * p + 1] = v;
    img.data[4 * p + 2] = v;
    img.data[4 * p + 3] = 255;
  }
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, w * scale, h * scale);
}

/** Standard base64 to bytes (atob, available in browsers and Node). */
export function bytesFromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
