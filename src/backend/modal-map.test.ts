import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from './create.js';
import { fromModal, fromModalCoefficients, modalMap } from './modal-map.js';

test('without L2 the eigenvalues are 1 and the momentum exactly, h1 0, for every momentum in (2^-10, 1)', () => {
  for (const lr of [0.005, 0.01, 0.1, 0.2]) {
    for (const momentum of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const map = modalMap(lr, momentum, 0);
      assert.ok(map, `${lr} ${momentum}`);
      assert.equal(map.r1, 1);
      assert.equal(map.r2, momentum);
      assert.equal(map.h1, 0);
      // The zero-gradient step maps (1, h) to r (1, h): w - lr m h = r, m h = r h.
      for (const [r, h] of [[map.r1, map.h1], [map.r2, map.h2]] as const) assert.ok(Math.abs(1 - lr * momentum * h - r) < 1e-12);
      // A gradient's (-lr, 1) is c1 (1, h1) + c2 (1, h2).
      assert.ok(Math.abs(map.c1 + map.c2 + lr) < 1e-12 && Math.abs(map.c1 * map.h1 + map.c2 * map.h2 - 1) < 1e-12);
    }
  }
  assert.equal(modalMap(0.1, 0, 0), null);
});

test('with L2 the eigenvalues are those of M (r1 r2 = momentum, r1 + r2 = 1 - lr l2 + momentum)', () => {
  const map = modalMap(0.05, 0.9, 0.01)!;
  assert.ok(map.r1 < 1 && map.r1 > map.r2);
  assert.ok(Math.abs(map.r1 * map.r2 - 0.9) < 1e-15);
  assert.ok(Math.abs(map.r1 + map.r2 - (1 - 0.05 * 0.01 + 0.9)) < 1e-15);
});

test("a backend's rowsDecay with fromModalCoefficients is fromModal bit for bit (every row, float32 and float64 buffers)", async () => {
  for (const name of ['wasm', 'ref'] as const) {
    const be = await createBackend(name, {});
    try {
      const rows = 37, cols = 13, n = rows * cols;
      const map = modalMap(0.05, 0.9, 0.003)!;
      const p = be.alloc(n), q = be.alloc(n);
      for (let i = 0; i < n; i++) {
        p[i] = Math.sin(i + 1) * 0.1;
        q[i] = Math.cos(3 * i) * 1e3;
      }
      const wantP = p.slice(), wantQ = q.slice();
      fromModal(map, 0.93, 1.7e-9, wantP, wantQ, 0, n);
      const list = Int32Array.from({ length: rows }, (_, i) => i);
      const coef = new Float64Array(4 * rows);
      for (let i = 0; i < rows; i++) coef.set(fromModalCoefficients(map, 0.93, 1.7e-9), 4 * i);
      be.rowsDecay(p, q, list, coef, rows, cols);
      assert.deepEqual(Array.from(p), Array.from(wantP), name);
      assert.deepEqual(Array.from(q), Array.from(wantQ), name);
    } finally {
      (be as { close?: () => void }).close?.();
    }
  }
});
