import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FUZZ_SEED, editJson, mutate, mutations } from './fuzz.js';

test('mutations are reproducible from the seed and stay within the file', () => {
  const base = Uint8Array.from({ length: 100 }, (_, i) => i);
  const run = () => fc.sample(mutations, { seed: FUZZ_SEED, numRuns: 50 }).map((ms) => mutate(base, ms));
  const a = run();
  assert.deepEqual(a, run());
  assert.ok(a.some((b) => b.length !== base.length) && a.some((b) => b.length === base.length && b.some((x, i) => x !== base[i])));
  assert.deepEqual(base, Uint8Array.from({ length: 100 }, (_, i) => i), 'the input is not changed');
});

test('JSON edits reach nested values and leave the input alone', () => {
  const h = { a: { b: [1, 2, { c: 3 }] } };
  assert.deepEqual(editJson(h, [{ pick: 5, remove: false, value: 'x' }]), { a: { b: [1, 2, { c: 'x' }] } });
  assert.deepEqual(editJson(h, [{ pick: 1, remove: true, value: null }]), { a: {} });
  assert.deepEqual(h, { a: { b: [1, 2, { c: 3 }] } });
});
