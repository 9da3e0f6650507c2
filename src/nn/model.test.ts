/** validateModelSpec: the model specs that are refused, and why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../errors.js';
import { refBackend } from '../backend/ref.js';
import { Model, mlpSpec, validateModelSpec, type ModelSpec } from './model.js';

const dense = (units: number) => ({ type: 'dense' as const, units });

test("a softmax layer at the end with the 'ce' loss (softmax applied twice) is refused; with 'mse', or inside, it is fine", () => {
  const refused: ModelSpec[] = [
    { inputSize: 4, layers: [dense(3), { type: 'softmax' }], loss: 'ce' },
    { inputSize: 4, layers: [dense(3), { type: 'softmax' }, { type: 'dropout', rate: 0.5 }], loss: 'ce' },
  ];
  for (const spec of refused) {
    assert.throws(() => validateModelSpec(spec), (e: Error) => e instanceof ConfigError && /the 'ce' loss applies the softmax .* not a softmax layer/.test(e.message));
  }
  validateModelSpec({ inputSize: 4, layers: [dense(3), { type: 'softmax' }], loss: 'mse' });
  validateModelSpec({ inputSize: 4, layers: [dense(5), { type: 'softmax' }, dense(3)], loss: 'ce' });
  validateModelSpec(mlpSpec({ inputSize: 784, hidden: [100], classes: 10, dropout: 0.5 }));
});

test("a model's seed that is not an integer in [0, 2^32) is bad input: a ConfigError, as every other bad option", () => {
  for (const seed of [NaN, -1, 1.5, 2 ** 32, Infinity]) {
    assert.throws(() => new Model(mlpSpec({ inputSize: 4, hidden: [2], classes: 2 }), { backend: refBackend(), seed }), {
      name: 'ConfigError',
      message: `the model's seed must be an integer from 0 to 4294967295, got ${seed}`,
    });
  }
  assert.equal(new Model(mlpSpec({ inputSize: 4, hidden: [2], classes: 2 }), { backend: refBackend(), seed: 2 ** 32 - 1 }).seed, 2 ** 32 - 1);
});
