/** Loss and accuracy of a model over a whole image set, in eval mode, in fixed-size chunks. */
import type { ImageSet } from '../data/dataset.js';
import { PIXEL_MAX, pixelsOf } from '../data/dataset.js';
import type { Model } from '../nn/model.js';
import { DataError } from '../errors.js';

export interface Evaluation {
  /** Mean loss per example. */
  loss: number;
  /** Fraction classified correctly. */
  acc: number;
}

/** Rows per forward pass when evaluating (bounded memory, identical results whatever the set size). */
export const EVAL_CHUNK = 1000;

const IDENTITY_ORDER_CACHE = new Map<number, Int32Array>();

/** 0, 1, ..., n-1 (cached). */
export function identityOrder(n: number): Int32Array {
  let a = IDENTITY_ORDER_CACHE.get(n);
  if (!a) {
    a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    IDENTITY_ORDER_CACHE.set(n, a);
  }
  return a;
}

/** Fills the model's input buffer with images order[start .. start+count) of set, scaled / PIXEL_MAX. */
export function loadBatch(model: Model, set: ImageSet, order: Int32Array, start: number, count: number) {
  const x = model.inputBuffer(count);
  model.backend.gatherRows(x, set.images, order, start, count, pixelsOf(set), PIXEL_MAX);
  return x;
}

export function checkInputSize(model: Model, set: ImageSet, what: string): void {
  if (pixelsOf(set) !== model.inputSize) {
    throw new DataError(`${what}: images have ${pixelsOf(set)} pixels but the model takes ${model.inputSize} inputs`);
  }
}

/** Refuses a set with a label the model has no output for: its loss would be NaN, and look like divergence. */
export function checkLabels(model: Model, set: ImageSet, what: string): void {
  let max = 0;
  for (let i = 0; i < set.count; i++) if (set.labels[i]! > max) max = set.labels[i]!;
  if (max >= model.outputSize) throw new DataError(`${what}: a label is ${max} but the model has ${model.outputSize} outputs (classes 0 to ${model.outputSize - 1})`);
}

export function evaluate(model: Model, set: ImageSet): Evaluation {
  checkInputSize(model, set, 'evaluate');
  checkLabels(model, set, 'evaluate');
  const order = identityOrder(set.count);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += EVAL_CHUNK) {
    const count = Math.min(EVAL_CHUNK, set.count - start);
    const x = loadBatch(model, set, order, start, count);
    const r = model.evaluateBatch(x, set.labels.subarray(start, start + count), count);
    lossSum += r.lossSum;
    correct += r.correct;
  }
  return { loss: lossSum / set.count, acc: correct / set.count };
}

/**
 * Runs the model in eval mode over a whole set in EVAL_CHUNK-row chunks and calls visit(i, probs, o, best) for
 * every image i: probs[o .. o + outputSize) are its class probabilities, best their argmax (first on ties).
 */
export function forEachPrediction(
  model: Model,
  set: ImageSet,
  visit: (i: number, probs: Readonly<Float32Array | Float64Array>, o: number, best: number) => void,
): void {
  checkInputSize(model, set, 'predict');
  const classes = model.outputSize;
  const order = identityOrder(set.count);
  for (let start = 0; start < set.count; start += EVAL_CHUNK) {
    const count = Math.min(EVAL_CHUNK, set.count - start);
    const probs = model.predict(loadBatch(model, set, order, start, count), count);
    for (let r = 0; r < count; r++) {
      const o = r * classes;
      let best = 0;
      for (let c = 1; c < classes; c++) if (probs[o + c]! > probs[o + best]!) best = c;
      visit(start + r, probs, o, best);
    }
  }
}
