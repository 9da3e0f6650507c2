/** Test pictures made from real MNIST digits. */

/** A 28x28 MNIST digit drawn `scale` times larger, dark on light (inverted), at (ox, oy) on a w x h RGB canvas. */
export function bigInvertedOffCentre(d: ArrayLike<number>, scale: number, w: number, h: number, ox: number, oy: number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3).fill(235);
  for (let y = 0; y < 28 * scale; y++) {
    for (let x = 0; x < 28 * scale; x++) {
      const v = 235 - Math.round((d[Math.floor(y / scale) * 28 + Math.floor(x / scale)]! * 215) / 255);
      const o = ((oy + y) * w + ox + x) * 3;
      rgb[o] = rgb[o + 1] = rgb[o + 2] = v;
    }
  }
  return rgb;
}
