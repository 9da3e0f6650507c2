/**
 * Backend buffers are branded: a plain typed array or a number[] where a kernel wants a buffer is a compile
 * error (the `@ts-expect-error` lines fail the build if one ever compiles), and the helpers that make buffers
 * share or copy memory as they say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferFrom, view, type FloatArray } from './backend.js';
import { refBackend } from './ref.js';

const be = refBackend('float32');

test('a kernel accepts only buffers: plain arrays do not compile', () => {
  const x = be.alloc(4), y = be.alloc(4);
  be.relu(y, x, 4);
  // @ts-expect-error a Float32Array the backend did not allocate is not a buffer
  be.relu(new Float32Array(4), x, 4);
  // @ts-expect-error nor is a number[]
  be.relu(y, [1, -2, 3, -4], 4);
  // @ts-expect-error a copy (slice, map) is a plain array again
  be.relu(x.slice(), y, 4);
  // @ts-expect-error a subarray too: views come from view()
  const sub: FloatArray = x.subarray(0, 2);
  assert.ok(sub);
});

test('view shares the memory of its buffer; bufferFrom copies into a new one', () => {
  const x = bufferFrom(be, [1, -2, 3, -4]);
  const tail = view(x, 2);
  be.relu(tail, tail, 2);
  assert.deepEqual(Array.from(x), [1, -2, 3, 0]);
  const copy = bufferFrom(be, x);
  copy[0] = 9;
  assert.equal(x[0], 1);
  assert.ok(bufferFrom(refBackend('float64'), [0.1])[0] === 0.1 && bufferFrom(be, [0.1])[0] !== 0.1, 'rounded to the dtype');
});
