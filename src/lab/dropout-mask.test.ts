import assert from 'node:assert/strict';
import { test } from 'node:test';
import { view } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { drawDropoutMask } from '../nn/dropout.js';
import { Rng } from '../rng/mt19937.js';
import { keptUnits } from './dropout-mask.js';

test("the first row of a seeded mask: kept where the engine's mask scales, dropped where it is 0", () => {
  const rows = 3;
  const units = 100;
  const mask = refBackend().alloc(rows * units);
  drawDropoutMask(mask, mask.length, 0.5, new Rng(7), 'threshold', refBackend());
  const kept = keptUnits(mask, units);
  assert.equal(kept.length, units);
  for (let i = 0; i < units; i++) assert.equal(kept[i], mask[i] === 2 ? 1 : 0, `unit ${i}`);
  const n = kept.reduce((s, k) => s + k, 0);
  assert.ok(n > 30 && n < 70, `about half of 100 kept at rate 0.5, got ${n}`);
  assert.throws(() => keptUnits(view(mask, 0, 10), units), RangeError);
});
