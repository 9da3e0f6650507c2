import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confusion, examplesOf } from './confusion.js';

test('confusion counts, per-class accuracy and the examples of a cell', () => {
  const labels = Uint8Array.from([0, 0, 1, 1, 1, 2]);
  const predicted = Uint8Array.from([0, 1, 1, 1, 0, 2]);
  const c = confusion(predicted, labels, 3);
  assert.deepEqual(Array.from(c.counts), [1, 1, 0, 1, 2, 0, 0, 0, 1]);
  assert.deepEqual(c.perClassAcc, [0.5, 2 / 3, 1]);
  assert.deepEqual(examplesOf(predicted, labels, 1, 0, 10), [4]);
  assert.deepEqual(examplesOf(predicted, labels, 1, 1, 1), [2]);
});
