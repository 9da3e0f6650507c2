/**
 * One picture through a model, as `reglab predict` and the lab's drawing pad read it: the image's bytes
 * scaled / PIXEL_MAX into the model's input, its class probabilities, and (for a look inside) the output of
 * the first hidden layer.
 */
import { PIXEL_MAX } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import type { Model } from './model.js';

function fillInput(model: Model, pixels: Readonly<ArrayLike<number>>) {
  if (pixels.length !== model.inputSize) throw new ConfigError(`the model reads ${model.inputSize} pixels, got ${pixels.length}`);
  const x = model.inputBuffer(1);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i]! / PIXEL_MAX;
  return x;
}

/** The model's outputs (probabilities for 'ce') for one image of inputSize bytes (0 background). */
export function readDigit(model: Model, pixels: Readonly<ArrayLike<number>>): number[] {
  return Array.from(model.predict(fillInput(model, pixels), 1));
}

/**
 * The first hidden layer's activations for one image, in eval mode (no dropout): the output of the layers up
 * to the first one after the first dense layer (its activation), or null for a model with no hidden layer.
 */
export function hiddenActivations(model: Model, pixels: Readonly<ArrayLike<number>>): Float64Array | null {
  const firstDense = model.layers.findIndex((l) => l.spec.type === 'dense');
  const upTo = firstDense + 1;
  if (firstDense < 0 || upTo >= model.layers.length || model.layers[upTo]!.spec.type === 'dense') return null;
  let h = fillInput(model, pixels);
  for (let i = 0; i <= upTo; i++) h = model.layers[i]!.forward(h, 1, 'eval', model.rng);
  return Float64Array.from(h);
}
