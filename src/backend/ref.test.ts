/** withReferenceKernels: a backend's own kernels stay, each one it leaves out is the reference's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackendKernels } from './backend.js';
import { refBackend, withReferenceKernels } from './ref.js';

test("kernels left out are the reference's, on the backend's buffers; its own kernels and getters stay", () => {
  const ref = refBackend('float64');
  let calls = 0;
  const own: BackendKernels & { readonly calls: number } = {
    ...ref,
    name: 'test',
    relu: (out, x, n) => {
      calls++;
      ref.relu(out, x, n);
    },
    get calls() {
      return calls;
    },
  };
  for (const k of ['sigmoid', 'tanh', 'softmaxRows', 'countCorrect'] as const) delete (own as Partial<typeof own>)[k];
  const be = withReferenceKernels(own);
  assert.equal(be, own);
  assert.equal(be.name, 'test');
  const x = be.alloc(3);
  x.set([-1, 0, 2]);
  const y = be.alloc(3);
  be.relu(y, x, 3);
  assert.equal(be.calls, 1, 'its own relu ran, and the getter is live');
  be.tanh(y, x, 3);
  assert.deepEqual(Array.from(y), [Math.tanh(-1), 0, Math.tanh(2)]);
  assert.equal(be.countCorrect(x, Uint8Array.of(2), 1, 3), 1);
  for (const k of Object.keys(ref)) assert.ok(k in be, `${k} filled in`);
});

test('a buffer too large for a typed array is a ConfigError naming its size (bad input), not a RangeError', () => {
  assert.throws(() => refBackend('float32').alloc(2 ** 40), { name: 'ConfigError', message: 'the reference backend cannot allocate 4194304 MB: the network or the data is too large' });
  assert.throws(() => refBackend('float64').alloc(2 ** 40), { name: 'ConfigError', message: /cannot allocate 8388608 MB/ });
  assert.equal(refBackend('float32').alloc(3).length, 3);
});
