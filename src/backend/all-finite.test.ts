/**
 * allFinite: the fast backend's kernel against the reference loop on buffers of every length up to 70 (the
 * vector loops' tails) with one or two special values anywhere (NaN, NaN with other payloads, +-Infinity) among
 * finite ones at the edges (-0, subnormals, the largest float32), and a weight buffer as the Trainer checks it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from './create.js';
import { allFinite, allFiniteRef } from './all-finite.js';
import { refBackend } from './ref.js';

const FINITE = [0, -0, 1e-45, -1e-45, 1.1754942e-38, 3.4028234663852886e38, -3.4028234663852886e38, 0.5, -7];
const NOT_FINITE = [NaN, Infinity, -Infinity];

test('the wasm kernel agrees with the reference loop, wherever a NaN or Infinity is', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    const odd = new Float32Array(new Uint32Array([0x7fc00001, 0xff800001, 0x7f800001]).buffer); // other NaNs
    for (let n = 0; n <= 70; n++) {
      const x = be.alloc(n);
      for (let i = 0; i < n; i++) x[i] = FINITE[i % FINITE.length]!;
      assert.equal(allFinite(be, x), true, `n ${n}, all finite`);
      assert.equal(allFiniteRef(x), true);
      for (let p = 0; p < n; p++) {
        for (const v of [...NOT_FINITE, ...odd]) {
          const keep = x[p]!;
          x[p] = v;
          assert.equal(allFinite(be, x), false, `n ${n}, ${v} at ${p}`);
          assert.equal(allFiniteRef(x), false);
          // Only the first n - 1 elements: the value at the end is not read.
          if (p === n - 1) assert.equal(allFinite(be, x, n - 1), true, `n ${n - 1} before ${v}`);
          x[p] = keep;
        }
      }
      be.free?.(x);
    }
    // The reference backend has no kernel: the loop.
    const ref = refBackend('float32');
    assert.equal(ref.allFinite, undefined);
    const r = ref.alloc(5);
    assert.equal(allFinite(ref, r), true);
    r[3] = -Infinity;
    assert.equal(allFinite(ref, r), false);
  } finally {
    (be as { close?: () => void }).close?.();
  }
});
