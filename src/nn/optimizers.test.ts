/** createOptimizer: every name builds its optimizer with the settings given; bad names and misplaced settings are refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import { ConfigError } from '../errors.js';
import { Adam } from './adam.js';
import { Model, mlpSpec } from './model.js';
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName } from './optimizers.js';
import { Sgd } from './sgd.js';

const be = refBackend('float32');
const model = new Model(mlpSpec({ inputSize: 4, hidden: [3], classes: 2 }), { backend: be, seed: 1 });

test('createOptimizer builds sgd and adam from flat settings, each reading its own', () => {
  assert.deepEqual([...OPTIMIZER_NAMES], ['sgd', 'adam']);
  const sgd = createOptimizer('sgd', be, model.params, { lr: 0.1, momentum: 0.5, beta1: 0.8 });
  assert.ok(sgd instanceof Sgd);
  assert.deepEqual((sgd as Sgd).config, { lr: 0.1, momentum: 0.5, l2: 0 });
  const adam = createOptimizer('adam', be, model.params, { lr: 0.01, beta1: 0.8, eps: 1e-7 });
  assert.equal(adam.plainStepRate, undefined, 'Adam takes no fused step');
  assert.ok(adam instanceof Adam);
  assert.deepEqual((adam as Adam).config, { lr: 0.01, beta1: 0.8, beta2: 0.999, eps: 1e-7, l2: 0 });
  assert.equal(adam.name, 'adam');
  assert.equal(typeof sgd.plainStepRate, 'function');
});

test('createOptimizer refuses an unknown name and momentum for adam', () => {
  assert.throws(() => createOptimizer('rmsprop' as OptimizerName, be, model.params), (e: Error) => e instanceof ConfigError && /optimizer must be one of sgd, adam, got "rmsprop"/.test(e.message));
  assert.throws(() => createOptimizer('adam', be, model.params, { momentum: 0.9 }), /momentum is a setting of sgd/);
  assert.throws(() => createOptimizer('adam', be, model.params, { beta1: 1 }), /beta1 must be in \[0, 1\)/);
});
