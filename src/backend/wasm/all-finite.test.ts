/**
 * allFinite: the fast backend's kernel (exponent bits four lanes at a time) against the reference's loop on
 * buffers of every length up to 70 (the vector loops' tails) with one special value anywhere (NaN, NaN with
 * other payloads, +-Infinity) among finite ones at the edges (-0, subnormals, the largest float32).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../create.js';
import { refBackend } from '../ref.js';

const FINITE = [0, -0, 1e-45, -1e-45, 1.1754942e-38, 3.4028234663852886e38, -3.4028234663852886e38, 0.5, -7];
const NOT_FINITE = [NaN, Infinity, -Infinity];

test('the wasm kernel agrees with the reference loop, wherever a NaN or Infinity is', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  const ref = refBackend('float32');
  try {
    const odd = new Float32Array(new Uint32Array([0x7fc00001, 0xff800001, 0x7f800001]).buffer); // other NaNs
    for (let n = 0; n <= 70; n++) {
      const x = be.alloc(n);
      for (let i = 0; i < n; i++) x[i] = FINITE[i % FINITE.length]!;
      assert.equal(be.allFinite(x, n), true, `n ${n}, all finite`);
      assert.equal(ref.allFinite(x, n), true);
      for (let p = 0; p < n; p++) {
        for (const v of [...NOT_FINITE, ...odd]) {
          const keep = x[p]!;
          x[p] = v;
          assert.equal(be.allFinite(x, n), false, `n ${n}, ${v} at ${p}`);
          assert.equal(ref.allFinite(x, n), false);
          // Only the first n - 1 elements: the value at the end is not read.
          if (p === n - 1) {
            assert.equal(be.allFinite(x, n - 1), true, `n ${n - 1} before ${v}`);
            assert.equal(ref.allFinite(x, n - 1), true);
          }
          x[p] = keep;
        }
      }
      be.free?.(x);
    }
  } finally {
    (be as { close?: () => void }).close?.();
  }
});
