/**
 * The first layer as pictures: each hidden unit's weights drawn as an image the size of the input (28x28
 * for MNIST), either the weights themselves or what training has changed in them.
 */
import { drawWeightGrid } from '../viz/images.js';
import type { Predictor } from './predictor.js';

export type WeightView = 'weights' | 'change';

/** At most this many units are drawn. */
const SHOWN = 64;

/** The side of a square picture of n pixels, or 0 when n is not a square. */
export function squareSide(n: number): number {
  const s = Math.round(Math.sqrt(n));
  return s * s === n ? s : 0;
}

/**
 * Draws the first dense layer of `weights` (laid out as the predictor's model; it must hold that model) on
 * the canvas; with view 'change', minus the same layer of `initial`. Returns the note to show beside it.
 */
export function drawFirstLayer(canvas: HTMLCanvasElement, predictor: Predictor, weights: Float64Array | Float32Array, initial: Float64Array | Float32Array | undefined, view: WeightView): string {
  const now = predictor.firstLayer(weights);
  if (!now) return '(no dense layer)';
  const side = squareSide(now.inSize);
  if (!side) return `(inputs of ${now.inSize} values are not square pictures)`;
  let pictures: ArrayLike<number> = now.weights;
  const before = initial && view === 'change' ? predictor.firstLayer(initial) : null;
  if (before) {
    const d = new Float64Array(now.weights.length);
    for (let i = 0; i < d.length; i++) d[i] = now.weights[i]! - before.weights[i]!;
    pictures = d;
  }
  const shown = Math.min(now.units, SHOWN);
  drawWeightGrid(canvas, pictures, now.units, shown, side, side, 8, 2);
  return shown < now.units ? `(${shown} of ${now.units} units)` : `(${now.units} units)`;
}
