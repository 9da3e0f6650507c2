import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng/mt19937.js';
import { bufferFrom, type DType, type FloatArray } from './backend.js';
import { refBackend } from './ref.js';
import { skipZerosBackend } from './skip-zeros.js';

/** Random values in [-1, 1), a fraction `zeros` of them exactly 0 (like blank pixels). */
function sparse(rng: Rng, n: number, zeros: number, dtype: DType): FloatArray {
  const a = refBackend(dtype).alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.random() < zeros ? 0 : 2 * rng.random() - 1;
  return a;
}

test('skip-zeros matmul gives the reference matmul bit for bit, every transpose, accumulate or not', () => {
  const rng = new Rng(42);
  for (const dtype of ['float64', 'float32'] as const) {
    const ref = refBackend(dtype);
    const fast = skipZerosBackend(ref);
    for (const [m, k, n] of [[1, 784, 40], [7, 13, 5], [100, 784, 10], [784, 3, 9], [1, 1, 1], [4, 6, 1]] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            for (const zeros of [0, 0.8, 1]) {
              const a = sparse(rng, m * k, zeros, dtype);
              const b = sparse(rng, k * n, 0.1, dtype);
              const start = sparse(rng, m * n, 0, dtype);
              const want = bufferFrom(ref, start);
              const got = bufferFrom(ref, start);
              ref.matmul(want, a, b, m, k, n, transA, transB, accumulate);
              fast.matmul(got, a, b, m, k, n, transA, transB, accumulate);
              // +0 and -0 may differ on an all-zero sum; deepEqual would tell them apart, so compare with ===.
              for (let i = 0; i < want.length; i++) {
                assert.ok(got[i] === want[i], `${dtype} ${m}x${k}x${n} tA=${transA} tB=${transB} acc=${accumulate} zeros=${zeros} [${i}]: ${got[i]} vs ${want[i]}`);
              }
            }
          }
        }
      }
    }
  }
});

test('skip-zeros keeps every other kernel of its base', () => {
  const ref = refBackend('float64');
  const fast = skipZerosBackend(ref);
  assert.equal(fast.sgdStep, ref.sgdStep);
  assert.equal(fast.dtype, 'float64');
  assert.equal(fast.name, 'ref+skip-zeros');
});
