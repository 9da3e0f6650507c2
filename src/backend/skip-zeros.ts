/**
 * A backend whose matmul skips the zero entries of its left operand: MNIST images are about 80% zero pixels,
 * so products with a batch of images on the left (the first layer's forward pass and its weight gradient)
 * do a fifth of the work. Every other kernel is the base backend's.
 *
 * Same bits as the reference matmul: each output element is still a double sum started from 0 with the
 * products added in the same order, p = 0..k-1; a skipped product is a zero, and adding a zero to a sum
 * leaves it unchanged (only an exactly-zero sum may come out as +0 where the reference has -0).
 * This holds for finite right operands (0 * Infinity would be NaN in the reference).
 */
import type { Backend } from './backend.js';

export function skipZerosBackend(base: Backend): Backend {
  let row = new Float64Array(0); // one output row, accumulated in doubles as the reference does
  const matmul: Backend['matmul'] = (out, a, b, m, k, n, transA, transB, accumulate) => {
    // With b transposed its rows are not contiguous; those products are small here (dy · W^T).
    if (transB) return base.matmul(out, a, b, m, k, n, transA, transB, accumulate);
    if (row.length < n) row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      const o = i * n;
      let started = false;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i]! : a[i * k + p]!;
        if (av === 0) continue;
        if (!started) row.fill(0, 0, n);
        started = true;
        const bo = p * n;
        for (let j = 0; j < n; j++) row[j] = row[j]! + av * b[bo + j]!;
      }
      if (!started) {
        if (!accumulate) out.fill(0, o, o + n); // an all-zero row of a (a blank pixel's gradient, say)
      } else if (accumulate) {
        for (let j = 0; j < n; j++) out[o + j] = out[o + j]! + row[j]!;
      } else {
        for (let j = 0; j < n; j++) out[o + j] = row[j]!;
      }
    }
  }
  return { ...base, name: `${base.name}+skip-zeros`, matmul };
};
