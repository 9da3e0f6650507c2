import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SNAPSHOT_BUDGET_BYTES, snapshotStride } from './snapshots.js';

test('every epoch of a default-sized run is kept; a big run keeps every stride-th within the budget', () => {
  const defaultParams = 784 * 100 + 100 + 100 * 10 + 10;
  assert.equal(snapshotStride(defaultParams, 20), 1);
  assert.equal(snapshotStride(defaultParams, 200), 1);
  const big = 784 * 2048 + 2048 + 2048 * 10 + 10;
  const stride = snapshotStride(big, 300);
  assert.ok(stride > 1);
  assert.ok(Math.ceil(300 / stride) * 4 * big <= SNAPSHOT_BUDGET_BYTES, 'the kept snapshots fit');
  assert.ok(Math.ceil(300 / (stride - 1)) * 4 * big > SNAPSHOT_BUDGET_BYTES, 'and the stride is the smallest that fits');
});
