/**
 * The per-example path with momentum and L2 (Sgd's rules in Backend.perExampleSgd: the fast backend's float32
 * kernel, the first layer's matrix scaled (L2 alone) or its rows stepped lazily (momentum)) gives the run whose
 * per-example step is that arithmetic in JavaScript (composedPerExampleSgdReg) bit for bit, on 1 and 2
 * threads: weights as stored and as read, velocities, row steps, losses, metrics, mid-epoch states, divergence,
 * however the run is driven (runBatch, runFor, runEpoch); checkpoints resume exactly from either; rows behind
 * by more than the power table's steps are caught up as StepPowers.power computes them; a scaled matrix is
 * brought back to W every P steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../backend/create.js';
import type { Backend } from '../backend/backend.js';
import { Model, mlpSpec } from '../nn/model.js';
import { sparseImageSet, withComposedPerExample } from '../testing/sparse-images.js';
import { Trainer, type FitConfig } from './trainer.js';


const train = sparseImageSet(150, 1);
const validation = sparseImageSet(40, 2);


const perExample = (t: Trainer): unknown => (t as unknown as { perExample: unknown }).perExample;

function trainer(be: Backend, config: FitConfig, bias = true, hidden = [12], set = train): Trainer {
  const model = new Model(mlpSpec({ inputSize: 64, hidden, classes: 4, bias }), { backend: be, seed: 5 });
  return new Trainer(model, set, { epochs: 3, validation, ...config });
}

/** Everything a run leaves: weights as stored and as read, histories, the optimizer's whole state (row steps too). */
function result(t: Trainer) {
  return {
    stored: Array.from(t.model.paramData),
    weights: Array.from(t.model.getWeights()),
    history: t.history.map(({ seconds: _, ...rest }) => rest),
    optimizer: t.optimizer.getState(),
    stop: t.stopReason,
  };
}

/** A trainer's state without its seconds. */
function timeless(t: Trainer) {
  const { history, progress, ...rest } = t.getState();
  return { ...rest, history: history.map(({ seconds: _, ...l }) => l), progress: progress && { ...progress, seconds: 0 } };
}

const CONFIGS: FitConfig[] = [
  { lr: 0.05, l2: 0.01 },
  { lr: 0.05, momentum: 0.9 },
  { lr: 0.03, momentum: 0.5, l2: 0.02 },
  { lr: 0.2, momentum: 0.95, l2: 0.001 },
  // No real eigenbasis (lr l2 above (1 - sqrt(momentum))^2): the rows stepped lazily in float32.
  { lr: 0.1, momentum: 0.9, l2: 0.1 },
];
// Upper layers of 4 to 7 outputs (whole vectors, tails of 1 to 3, rows in pairs).
const NETS = [[true, [12]], [false, [12]], [true, [7, 5]], [false, [9, 6]], [true, [5, 7]]] as const;

for (const threads of [1, 2]) {
  test(`momentum and L2 on the per-example path: its JavaScript reference bit for bit (${threads} thread(s))`, async () => {
    const be = await createBackend('wasm', { threads });
    try {
      for (const config of CONFIGS) {
        for (const [bias, hidden] of NETS) {
          const what = JSON.stringify({ config, bias, hidden });
          const want = trainer(withComposedPerExample(be), config, bias, [...hidden]);
          assert.notEqual(perExample(want), null);
          const got = trainer(be, config, bias, [...hidden]);
          assert.notEqual(perExample(got), null, what);
          // Mid-epoch: rows behind, their steps and stored values in the state.
          for (let i = 0; i < 150 + 61; i++) {
            want.runBatch();
            got.runBatch();
          }
          const mid = result(want);
          assert.ok(mid.optimizer.buffers['rowStep'], what);
          assert.deepEqual(result(got), mid, what);
          assert.deepEqual(timeless(got), timeless(want), what);
          while (want.runBatch());
          while (got.runFor(0.01).more);
          assert.deepEqual(result(got), result(want), what);
          const epochs = trainer(be, config, bias, [...hidden]);
          while (epochs.runEpoch());
          assert.deepEqual(result(epochs), result(want), what);
        }
      }
    } finally {
      (be as { close?: () => void }).close?.();
    }
  });
}

test('a run that diverges with momentum stops at the same step with the same weights', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    const config = { lr: 1e6, momentum: 0.9, l2: 0.01, epochs: 2 };
    const want = trainer(withComposedPerExample(be), config);
    while (want.runBatch());
    assert.equal(want.stopReason, 'diverged');
    assert.match(want.stopMessage ?? '', /loss is NaN/); // a step's loss, mid-epoch: the kernel stops before it
    const got = trainer(be, config);
    while (got.runFor(1).more);
    assert.deepEqual(result(got), result(want));
    assert.equal(got.stopMessage, want.stopMessage);
  } finally {
    (be as { close?: () => void }).close?.();
  }
});

test('a mid-epoch checkpoint resumes exactly, from the kernel or its reference into the kernel', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    for (const config of CONFIGS) {
      const whole = trainer(withComposedPerExample(be), config);
      while (whole.runBatch());
      for (const from of [be, withComposedPerExample(be)]) {
        const first = trainer(from, config);
        for (let i = 0; i < 150 + 61; i++) first.runBatch();
        const state = first.getState();
        assert.equal(state.progress!.nextBatch, 61);
        const second = trainer(be, config);
        assert.notEqual(perExample(second), null);
        second.setState(state);
        while (second.runFor(1).more);
        assert.deepEqual(result(second), result(whole), JSON.stringify(config));
      }
    }
  } finally {
    (be as { close?: () => void }).close?.();
  }
});

test('rows behind by more than the power table holds catch up as StepPowers.power computes it', async () => {
  // Images in file order; pixel 63 is nonzero only in the last image, 4,300 steps after the epoch's start
  // (the table holds 4,096 powers), and pixel 62 in the first and the last.
  const count = 4300;
  const set = sparseImageSet(count, 3);
  for (let i = 0; i < count; i++) {
    set.images[i * 64 + 63] = i === count - 1 ? 200 : 0;
    set.images[i * 64 + 62] = i === 0 || i === count - 1 ? 90 : 0;
  }
  const be = await createBackend('wasm', { threads: 1 });
  try {
    for (const config of [{ lr: 0.01, momentum: 0.9, l2: 0.003 }, { lr: 0.01, l2: 0.01 }]) {
      const c = { ...config, shuffle: false, epochs: 2 };
      const want = trainer(withComposedPerExample(be), c, true, [12], set);
      while (want.runEpoch());
      const got = trainer(be, c, true, [12], set);
      assert.notEqual(perExample(got), null);
      while (got.runEpoch());
      assert.deepEqual(result(got), result(want), JSON.stringify(config));
    }
  } finally {
    (be as { close?: () => void }).close?.();
  }
});
