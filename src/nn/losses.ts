/**
 * Losses on the model's last output. 'ce': softmax cross-entropy on logits (the softmax is fused into the loss,
 * so the last layer stays linear; predict() applies it). 'mse': squared error of a linear output against the
 * one-hot label, summed over the outputs (the book's "error").
 * Reported losses are means over examples; gradients are of that mean over the batch.
 */
import type { Backend, FloatArray } from '../backend/backend.js';

export type LossName = 'ce' | 'mse';

export const LOSS_NAMES: readonly LossName[] = ['ce', 'mse'];

/**
 * Writes d(mean loss)/d(output) into grad (when given) and returns the loss summed over the rows.
 */
export function lossAndGrad(
  backend: Backend,
  loss: LossName,
  grad: FloatArray | null,
  output: Readonly<FloatArray>,
  labels: Readonly<Uint8Array>,
  rows: number,
  cols: number,
): number {
  const scale = 1 / rows;
  return loss === 'ce'
    ? backend.softmaxCrossEntropy(grad, output, labels, rows, cols, scale)
    : backend.squaredError(grad, output, labels, rows, cols, scale);
}
