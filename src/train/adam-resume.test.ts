/**
 * A run with Adam (dropout, shuffling, early stopping: every piece of state matters) checkpointed mid-epoch,
 * through the checkpoint file's bytes, and resumed in a fresh Trainer ends bit-identical to the uninterrupted
 * run, on every backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { float32Backends } from '../backend/test-backends.js';
import { loadDataset } from '../data/files.js';
import { sliceSet } from '../data/dataset.js';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from '../io/checkpoint.js';
import { Model, mlpSpec } from '../nn/model.js';
import { Adam } from '../nn/adam.js';
import { EarlyStopping } from './early-stopping.js';
import { Trainer } from './trainer.js';

const data = loadDataset();
const train = sliceSet(data.train, 0, 150, 'training set');
const validation = sliceSet(data.train, 150, 60, 'validation set');
const test_ = sliceSet(data.test, 0, 80, 'test set');
const SPEC = mlpSpec({ inputSize: 784, hidden: [20], classes: 10, dropout: 0.3 });

function trainer(backend: Backend): Trainer {
  const model = new Model(SPEC, { backend, seed: 7 });
  return new Trainer(model, train, {
    optimizer: 'adam',
    lr: 0.002,
    l2: 0.001,
    beta2: 0.99,
    epochs: 5,
    batchSize: 16, // 10 batches an epoch, the last one short
    validation,
    test: test_,
    callbacks: [new EarlyStopping({ patience: 1 })],
  });
}

function runAll(t: Trainer) {
  while (t.runBatch());
  return t.finish();
}

test('Adam: checkpointed mid-epoch and resumed in a fresh Trainer, a run ends bit-identical', async () => {
  const backends = [...(await float32Backends()), { label: 'ref float64', backend: refBackend('float64') }];
  for (const { label, backend } of backends) {
    const ref = trainer(backend);
    const refResult = runAll(ref);
    for (const cut of [7, 23]) {
      const first = trainer(backend);
      for (let i = 0; i < cut; i++) first.runBatch();
      assert.ok(first.progress !== null, 'mid-epoch');
      const bytes = encodeCheckpoint(first, {});
      const second = trainer(backend);
      restoreCheckpoint(second, decodeCheckpoint(bytes));
      assert.equal(second.optimizer.getState().step, cut, `${label}: Adam's step count`);
      const result = runAll(second);
      const why = `${label}, checkpoint after ${cut} batches`;
      const noSeconds = (h: typeof result.history) => h.map(({ seconds: _s, ...rest }) => rest);
      assert.deepEqual(noSeconds(result.history), noSeconds(refResult.history), why);
      assert.equal(result.stopReason, refResult.stopReason, why);
      assert.deepEqual(second.model.getWeights(), ref.model.getWeights(), why);
      assert.deepEqual(second.optimizer.getState(), ref.optimizer.getState(), why);
    }
  }
});

test('an Optimizer handed in trains exactly as the same one named; one over other parameters is refused', () => {
  const backend = refBackend('float32');
  const named = trainer(backend);
  const model = new Model(SPEC, { backend, seed: 7 });
  const handed = new Trainer(model, train, {
    optimizer: new Adam(backend, model.params, { lr: 0.002, l2: 0.001, beta2: 0.99 }),
    epochs: 5,
    batchSize: 16,
    validation,
    test: test_,
    callbacks: [new EarlyStopping({ patience: 1 })],
  });
  runAll(named);
  runAll(handed);
  assert.deepEqual(handed.model.getWeights(), named.model.getWeights());
  const other = new Model(SPEC, { backend, seed: 7 });
  assert.throws(() => new Trainer(model, train, { optimizer: new Adam(backend, other.params) }), /parameters that are not this model's/);
});
