import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferFrom } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../rng/mt19937.js';
import { Dropout, drawDropoutMask } from './dropout.js';

test("a 'randint' dropout mask is numpy's randint(2) x 2", () => {
  // numpy: seed(1); randint(2, size=(2,5)) = [[1,1,0,0,1],[1,1,1,1,0]]
  const mask = refBackend('float64').alloc(10);
  drawDropoutMask(mask, 10, 0.5, new Rng(1), 'randint', refBackend('float64'));
  assert.deepEqual(Array.from(mask), [2, 2, 0, 0, 2, 2, 2, 2, 2, 0]);
});

test("the Dropout layer draws its 'randint' mask row-major from the generator it is given", () => {
  const layer = new Dropout({ type: 'dropout', rate: 0.5, maskDraw: 'randint' });
  layer.build(5, refBackend('float64'));
  const x = bufferFrom(refBackend('float64'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const rng = new Rng(1);
  for (let i = 0; i < 6; i++) rng.random(); // numpy: seed(1); random((3,2)); randint(2, (2,5)) = [[0,1,1,0,0],[1,0,0,0,1]]
  const y = layer.forward(x, 2, 'train', rng);
  assert.deepEqual(Array.from(y), [0, 4, 6, 0, 0, 12, 0, 0, 0, 20]);
  assert.equal(layer.forward(x, 2, 'eval', rng), x);
});

test("a 'randint' mask needs rate 0.5, and mask draws are checked", () => {
  assert.throws(() => new Dropout({ type: 'dropout', rate: 0.3, maskDraw: 'randint' }), ConfigError);
  assert.throws(() => new Dropout({ type: 'dropout', rate: 0.5, maskDraw: 'bits' as never }), ConfigError);
  assert.doesNotThrow(() => new Dropout({ type: 'dropout', rate: 0.3 }));
});
