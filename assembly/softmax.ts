/**
 * Softmax cross-entropy in float64 as the reference's JavaScript computes it (src/backend/ref.ts:
 * softmaxCrossEntropyRows), with its exp and log (libm.ts, ported in assembly/libm.ts), so that every loss term
 * and every gradient is the reference's to the last bit: the batch path's rows (each thread a part of them) and
 * the per-example kernels' one row.
 */
import { exp, log } from './libm';

/**
 * One row of cols logits (f32) with label: writes dLogits (when not 0) = fl32((p - [c == label]) * gradScale)
 * and returns log(sum exp(z - max)) + max - zLabel, zLabel the label's logit as the caller reads it.
 */
export function softmaxRow(dLogits: usize, logits: usize, label: i32, cols: i32, gradScale: f64, zLabel: f64): f64 {
  let max = -Infinity;
  for (let c = 0; c < cols; c++) max = Math.max(max, <f64>load<f32>(logits + (<usize>c << 2)));
  let sum = 0.0;
  for (let c = 0; c < cols; c++) sum += exp(<f64>load<f32>(logits + (<usize>c << 2)) - max);
  const logSum = log(sum) + max;
  const term = logSum - zLabel;
  if (dLogits != 0) {
    for (let c = 0; c < cols; c++) {
      const p = exp(<f64>load<f32>(logits + (<usize>c << 2)) - logSum);
      store<f32>(dLogits + (<usize>c << 2), <f32>((p - (c == label ? 1.0 : 0.0)) * gradScale));
    }
  }
  return term;
}

/**
 * Rows [r0, r1) of rows x cols logits with their labels (u8): each row's loss term to rowLoss[r] (f64) and, when
 * dLogits is not 0, its gradient scaled by gradScale. A label past the last column reads the logit where
 * JavaScript's index lands (a later row's), or NaN past the array's end.
 */
export function softmaxCrossEntropyRows(
  dLogits: usize, logits: usize, labels: usize, r0: i32, r1: i32, cols: i32, rows: i32, gradScale: f64, rowLoss: usize,
): void {
  const total = <usize>rows * <usize>cols;
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * <usize>cols;
    const label = <i32>load<u8>(labels + <usize>r);
    const at = o + <usize>label;
    const z = at < total ? <f64>load<f32>(logits + (at << 2)) : NaN;
    const d = dLogits == 0 ? 0 : dLogits + (o << 2);
    store<f64>(rowLoss + (<usize>r << 3), softmaxRow(d, logits + (o << 2), label, cols, gradScale, z));
  }
}
