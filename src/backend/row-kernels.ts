/**
 * The reference's row kernels of the lazily applied optimizer steps (nn/lazy-rows.ts): they touch only the
 * listed rows of a [inSize, outSize] weight matrix, so that a per-example step costs in proportion to the
 * image's nonzero pixels. Arithmetic in a JavaScript double, each stored value rounded once to the buffer's
 * type, as the reference's sgdStep.
 */
import type { Backend } from './backend.js';

/**
 * For each listed row r = rowList[q], q < count, and each column j < cols, with (a, b, c, d) = coef[4q .. 4q+3]:
 *   w' = a * w + b * v;  v' = c * w + d * v   (both from the old values; without v: w' = a * w).
 */
export const rowsDecay: Backend['rowsDecay'] = (w, v, rowList, coef, count, cols) => {
  for (let q = 0; q < count; q++) {
    const base = rowList[q]! * cols;
    const a = coef[4 * q]!;
    if (!v) {
      for (let j = base; j < base + cols; j++) w[j] = a * w[j]!;
      continue;
    }
    const b = coef[4 * q + 1]!, c = coef[4 * q + 2]!, d = coef[4 * q + 3]!;
    for (let j = base; j < base + cols; j++) {
      const wj = w[j]!, vj = v[j]!;
      w[j] = a * wj + b * vj;
      v[j] = c * wj + d * vj;
    }
  }
};

/**
 * The SGD step (Backend.sgdStep: g' = g + l2 * w; v = momentum * v + g'; w -= lr * (v or g')) of the listed rows
 * of w[inSize, outSize], their gradient g = x^T · dy (x [rows, inSize], dy [rows, outSize]) summed as the
 * reference's matmul sums it (a double, in example order) and rounded to the buffer's type; never stored. The
 * listed rows end exactly as after matmul then sgdStep on the reference; the other rows are not read.
 */
export const rowsSgdStep: Backend['rowsSgdStep'] = (w, v, x, dy, rowList, count, lr, momentum, l2, inSize, rows, outSize) => {
  const f32 = w instanceof Float32Array;
  for (let q = 0; q < count; q++) {
    const i = rowList[q]!;
    for (let j = 0; j < outSize; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * inSize + i]! * dy[r * outSize + j]!;
      const e = i * outSize + j;
      const wi = w[e]!;
      let d = f32 ? Math.fround(s) : s;
      if (l2 !== 0) d = d + l2 * wi;
      if (v) {
        d = momentum * v[e]! + d;
        v[e] = d;
      }
      w[e] = wi - lr * d;
    }
  }
};
