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
 * Draws the first `count` units of W[inSize, units] as a grid of h x w pictures, each `scale` pixels per
 * weight with a 1-pixel gap.
 */
export function drawWeightGrid(canvas: HTMLCanvasElement, weights: ArrayLike<number>, units: number, count: number, h: number, w: number, cols: number, scale: number): void {
  const rows = Math.ceil(count / cols);
  const cw = cols * (w * scale + 2);
  const ch = rows * (h * scale + 2);
  if (canvas.width !== cw) canvas.width = cw;
  if (canvas.height !== ch) canvas.height = ch;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#888';
  ctx.fillRect(0, 0, cw, ch);
  const small = new ImageData(w, h);
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  const tctx = tmp.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  for (let u = 0; u < count; u++) {
    weightRgba(small.data, weights, units, u, h, w);
    tctx.putImageData(small, 0, 0);
    ctx.drawImage(tmp, (u % cols) * (w * scale + 2) + 1, Math.floor(u / cols) * (h * scale + 2) + 1, w * scale, h * scale);
  }
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
