/**
 * The Trainer's per-example path (Backend.perExampleSgd) gives the run of the same steps taken one by one: bit
 * for bit against its own kernels composed with the fused kernel's float32 step (withComposedPerExample):
 * weights, every epoch's metrics, the optimizer's state, through runFor slices, runBatch, runEpoch, a
 * progress-style callback and a callback that stops the run mid-epoch, and a checkpoint taken mid-epoch
 * resumes exactly; and within TOL of the step-by-step loop with its float64 step (the same batches, the
 * same stop, weights and metrics within rounding). It is taken only where it fits: batch 1, SGD,
 * dense-ReLU-dense, softmax cross-entropy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../backend/create.js';
import type { Backend } from '../backend/backend.js';
import { Model, mlpSpec } from '../nn/model.js';
import { sparseImageSet, withComposedPerExample, withoutPerExample } from '../testing/sparse-images.js';
import type { Callback } from './callbacks.js';
import { Trainer, type FitConfig } from './trainer.js';


const train = sparseImageSet(150, 1);
const validation = sparseImageSet(40, 2);
/**
 * How far the float32 step may take 3 epochs of these 150 examples at lr 0.05 from the float64 step: absolute,
 * on every weight and every metric (measured: below 3e-7 on weights, 1e-7 on metrics).
 */
const TOL = 5e-6;


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

const perExample = (t: Trainer): unknown => (t as unknown as { perExample: unknown }).perExample;

/** got within TOL of want, number by number, the same shape and every other value equal. */
function assertNear(got: unknown, want: unknown, path = 'result'): void {
  if (typeof want === 'number' && typeof got === 'number') {
    assert.ok(Math.abs(got - want) <= TOL, `${path}: ${got}, float64 step ${want}`);
  } else if (want !== null && typeof want === 'object' && got !== null && typeof got === 'object') {
    assert.deepEqual(Object.keys(got), Object.keys(want), path);
    for (const k of Object.keys(want)) assertNear((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    assert.deepEqual(got, want, path);
  }
}

test('the per-example path gives the run of its steps one by one bit for bit, near the float64 step, and only where it fits', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    for (const [bias, hidden] of [[true, [12]], [false, [12]], [true, [7, 5]]] as const) {
      const drive = [(t: Trainer) => { while (t.runFor(0.01).more); }, (t: Trainer) => { while (t.runBatch()); }, (t: Trainer) => { while (t.runEpoch()); }];
      const want = trainer(withComposedPerExample(be), {}, bias, [...hidden]);
      while (want.runBatch());
      const float64 = trainer(withoutPerExample(be), {}, bias, [...hidden]);
      while (float64.runBatch());
      assert.equal(perExample(float64), null);
      assertNear(result(want), result(float64));
      assert.notDeepEqual(result(want).weights, result(float64).weights, 'the float32 and float64 steps gave the same weights');
      for (const run of drive) {
        const got = trainer(be, {}, bias, [...hidden]);
        assert.notEqual(perExample(got), null);
        run(got);
        assert.deepEqual(result(got), result(want));
      }
    }
    // (Momentum and L2 take it too: per-example-reg.test.ts; Adam without L2: per-example-adam.test.ts.)
    for (const config of [{ batchSize: 2 }, { optimizer: 'adam' as const, l2: 0.001 }]) {
      assert.equal(perExample(trainer(be, config)), null, JSON.stringify(config));
    }
  } finally {
    (be as { close?: () => void }).close?.();
  }
});

test('callbacks see every batch; one that may act on the run gets one step per call', async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    const seen = (passive: boolean, stopAt: number) => {
      const batches: { epoch: number; batch: number; loss: number; seen: number; lossSum: number }[] = [];
      const cb: Callback = {
        ...(passive ? { passiveBatchEnd: true } : {}),
        onBatchEnd(info, ctx) {
          batches.push({ epoch: ctx.epoch, batch: info.batch, loss: info.loss, seen: ctx.progress!.seen, lossSum: ctx.progress!.lossSum });
          if (!passive && ctx.epoch === 1 && info.batch === stopAt) ctx.stop('stopped', 'enough');
        },
      };
      return { cb, batches };
    };
    for (const passive of [true, false]) {
      const a = seen(passive, 70), b = seen(passive, 70), c = seen(passive, 70);
      const got = trainer(be, { callbacks: [a.cb] });
      const want = trainer(withComposedPerExample(be), { callbacks: [b.cb] });
      const float64 = trainer(withoutPerExample(be), { callbacks: [c.cb] });
      while (got.runFor(5).more);
      while (want.runBatch());
      while (float64.runBatch());
      assert.deepEqual(a.batches, b.batches);
      assert.deepEqual(result(got), result(want));
      assertNear(a.batches, c.batches);
      assertNear(result(got), result(float64));
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
