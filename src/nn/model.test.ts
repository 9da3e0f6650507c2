/** validateModelSpec: the model specs that are refused, and why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../errors.js';
import { mlpSpec, validateModelSpec, type ModelSpec } from './model.js';

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
