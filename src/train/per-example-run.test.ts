/**
 * The Trainer's per-example path (Backend.perExampleSgd) gives the run of the step-by-step loop bit for bit:
 * weights, every epoch's metrics, the optimizer's state, through runFor slices, runBatch, a progress-style
 * callback and a callback that stops the run mid-epoch, and a checkpoint taken mid-epoch resumes exactly. It is
 * taken only where it fits: batch 1, SGD, dense-ReLU-dense, softmax cross-entropy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../backend/create.js';
import type { Backend } from '../backend/backend.js';
import { Model, mlpSpec } from '../nn/model.js';
import { sparseImageSet, withoutPerExample } from '../testing/sparse-images.js';
import type { Callback } from './callbacks.js';
import { Trainer, type FitConfig } from './trainer.js';


const train = sparseImageSet(150, 1);
const validation = sparseImageSet(40, 2);


function trainer(be: Backend, config: FitConfig = {}, bias = true, hidden = [12]): Trainer {
  const model = new Model(mlpSpec({ inputSize: 64, hidden, classes: 4, bias }), { backend: be, seed: 5 });
  return new Trainer(model, train, { epochs: 3, lr: 0.05, validation, ...config });
}

function result(t: Trainer) {
  return {
    weights: Array.from(t.model.paramData),
    history: t.history.map(({ seconds: _, ...rest }) => rest),
    optimizer: t.optimizer.getState(),
    stop: t.stopReason,
  };
}

test('the per-example path gives the step-by-step run bit for bit, and only where it fits', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    for (const [bias, hidden] of [[true, [12]], [false, [12]], [true, [7, 5]]] as const) {
      const drive = [(t: Trainer) => { while (t.runFor(0.01).more); }, (t: Trainer) => { while (t.runBatch()); }, (t: Trainer) => { while (t.runEpoch()); }];
      const want = trainer(withoutPerExample(be), {}, bias, [...hidden]);
      while (want.runBatch());
      assert.equal((want as unknown as { perExample: unknown }).perExample, null);
      for (const run of drive) {
        const got = trainer(be, {}, bias, [...hidden]);
        assert.notEqual((got as unknown as { perExample: unknown }).perExample, null);
        run(got);
        assert.deepEqual(result(got), result(want));
      }
    }
    // (Momentum and L2 take it too: per-example-reg.test.ts.)
    for (const config of [{ batchSize: 2 }, { optimizer: 'adam' as const }]) {
      assert.equal((trainer(be, config) as unknown as { perExample: unknown }).perExample, null, JSON.stringify(config));
    }
  } finally {
    (be as { close?: () => void }).close?.();
  }
});

test('callbacks see every batch; one that may act on the run gets one step per call', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    const seen = (passive: boolean, stopAt: number) => {
      const batches: string[] = [];
      const cb: Callback = {
        ...(passive ? { passiveBatchEnd: true } : {}),
        onBatchEnd(info, ctx) {
          batches.push(`${ctx.epoch}.${info.batch}:${info.loss}:${ctx.progress!.seen}:${ctx.progress!.lossSum}`);
          if (!passive && ctx.epoch === 1 && info.batch === stopAt) ctx.stop('stopped', 'enough');
        },
      };
      return { cb, batches };
    };
    for (const passive of [true, false]) {
      const a = seen(passive, 70), b = seen(passive, 70);
      const got = trainer(be, { callbacks: [a.cb] });
      const want = trainer(withoutPerExample(be), { callbacks: [b.cb] });
      while (got.runFor(5).more);
      while (want.runBatch());
      assert.deepEqual(a.batches, b.batches);
      assert.deepEqual(result(got), result(want));
    }
  } finally {
    (be as { close?: () => void }).close?.();
  }
});

test('a checkpoint taken mid-epoch on the per-example path resumes exactly', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    const whole = trainer(be);
    while (whole.runBatch());
    const first = trainer(be);
    for (let i = 0; i < 150 + 61; i++) first.runBatch();
    const state = first.getState();
    assert.equal(state.progress!.nextBatch, 61);
    const second = trainer(be);
    second.setState(state);
    while (second.runFor(1).more);
    assert.deepEqual(result(second), result(whole));
  } finally {
    (be as { close?: () => void }).close?.();
  }
});
