/**
 * The per-example path with Adam (Backend.perExampleSgd with Adam's rules, the first layer's rows lazy): taken
 * only with batch size 1 and l2 = 0; the same bits on 1 and 2 threads and however the run is driven (whole
 * epochs, batch by batch, time slices); reading the weights mid-epoch changes nothing and gives the rows as a
 * sync brings them up to date; a checkpoint written mid-epoch (a point where every row is brought up to date)
 * resumes in a fresh trainer to the same end as the run that wrote it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../backend/create.js';
import type { Backend } from '../backend/backend.js';
import { loadDataset } from '../data/files.js';
import { sliceSet } from '../data/dataset.js';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from '../io/checkpoint.js';
import { Model, mlpSpec } from '../nn/model.js';
import { Trainer, type FitConfig } from './trainer.js';

const data = loadDataset();
const train = sliceSet(data.train, 0, 300, 'training set');
const validation = sliceSet(data.train, 300, 50, 'validation set');
const perExample = (t: Trainer): unknown => (t as unknown as { perExample: unknown }).perExample;

function trainer(be: Backend, config: FitConfig = {}, bias = true, hidden = [30]): Trainer {
  const model = new Model(mlpSpec({ inputSize: 784, hidden, classes: 10, bias }), { backend: be, seed: 3 });
  return new Trainer(model, train, { optimizer: 'adam', lr: 0.002, epochs: 2, batchSize: 1, validation, ...config });
}

function result(t: Trainer) {
  return {
    stored: Array.from(t.model.paramData),
    weights: Array.from(t.model.getWeights()),
    history: t.history.map(({ seconds: _, ...rest }) => rest),
    optimizer: t.optimizer.getState(),
  };
}

const runAll = (t: Trainer) => {
  while (t.runBatch());
  return t;
};

test('Adam takes the per-example path only with batch size 1 and no L2', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    assert.ok(perExample(trainer(be)));
    assert.equal(perExample(trainer(be, { l2: 0.001 })), null);
    assert.equal(perExample(trainer(be, { batchSize: 16 })), null);
    assert.ok(perExample(trainer(be, { optimizer: 'sgd', lr: 0.01 })), 'plain SGD keeps its own');
  } finally {
    (be as { close?: () => void }).close?.();
  }
});

test('per-example Adam: the same bits on 1 and 2 threads and however the run is driven', async () => {
  const one = await createBackend('wasm', { threads: 1 });
  const two = await createBackend('wasm', { threads: 2 });
  try {
    for (const [bias, hidden] of [[true, [30]], [false, [30]], [true, [13, 7]]] as const) {
      const what = JSON.stringify({ bias, hidden });
      const byEpoch = trainer(one, {}, bias, [...hidden]);
      while (byEpoch.runEpoch());
      const want = result(byEpoch);
      assert.deepEqual(result(runAll(trainer(one, {}, bias, [...hidden]))), want, `${what}: batch by batch`);
      assert.deepEqual(result(runAll(trainer(two, {}, bias, [...hidden]))), want, `${what}: 2 threads`);
      const sliced = trainer(two, {}, bias, [...hidden]);
      while (!sliced.done) sliced.runFor(0.2);
      assert.deepEqual(result(sliced), want, `${what}: time slices`);
    }
  } finally {
    (one as { close?: () => void }).close?.();
    (two as { close?: () => void }).close?.();
  }
});

test('per-example Adam: weights read mid-epoch are the rows brought up to date, and reading changes nothing', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    const read = trainer(be), quiet = trainer(be);
    for (let i = 0; i < 437; i++) {
      read.runBatch();
      quiet.runBatch();
      if (i % 61 === 7) {
        const w = read.model.getWeights();
        assert.notDeepEqual(w, read.model.storedWeights(), 'some row is behind (else this reads nothing lazy)');
        // The same trainer's rows synced by its kernel: the weights read, bit for bit.
        const probe = trainer(be);
        for (let j = 0; j <= i; j++) probe.runBatch();
        probe.optimizer.sync?.();
        assert.deepEqual(probe.model.storedWeights(), w, `after ${i + 1} batches`);
      }
    }
    assert.deepEqual(result(runAll(read)), result(runAll(quiet)));
  } finally {
    (be as { close?: () => void }).close?.();
  }
});

test('per-example Adam: a checkpoint written mid-epoch resumes to the same end as the run that wrote it', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    for (const cut of [1, 129, 437]) {
      const first = trainer(be);
      for (let i = 0; i < cut; i++) first.runBatch();
      assert.ok(first.progress !== null, 'mid-epoch');
      const bytes = encodeCheckpoint(first, {});
      const second = trainer(be);
      restoreCheckpoint(second, decodeCheckpoint(bytes));
      assert.equal(second.optimizer.getState().step, cut);
      assert.deepEqual(result(runAll(second)), result(runAll(first)), `checkpoint after ${cut} batches`);
    }
  } finally {
    (be as { close?: () => void }).close?.();
  }
});
