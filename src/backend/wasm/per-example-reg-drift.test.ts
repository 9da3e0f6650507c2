/**
 * How far the regularised per-example kernel's float32 arithmetic (backend/per-example-reg-ref.ts: L2 alone as
 * one scale of the first layer, momentum in the zero-gradient step's eigenbasis) takes training from the dense
 * update in float64 (every weight stepped at every step: g' = g + l2 w; v = momentum v + g'; w -= lr (v or g')),
 * on real MNIST: the chapter's net (784-100-10, ReLU, no bias, lr 0.005, the model's seeded weights), one
 * epoch of 1,000 images in file order, batch 1, L2 0.003 and momentum 0.9, the Trainer on the wasm backend
 * (the weights read after the epoch's sync) against a float64 JavaScript loop (pixels byte / 255 in float64).
 * The bound: every weight within 4e-6 of the float64 run's and the epoch's summed loss within a relative 1e-5.
 * Measured: L2 1.7e-6, momentum 7.7e-7, both 6.9e-7 (losses within 3e-8 relative); the kernel-by-kernel
 * path with its float64 steps is as far (1.75e-6, 7.4e-7): float32 training's own spread, not the kernel's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../create.js';
import { loadDataset } from '../../data/files.js';
import { sliceSet } from '../../data/dataset.js';
import { Model, mlpSpec } from '../../nn/model.js';
import { Trainer } from '../../train/trainer.js';

const N = 1000;
const LR = 0.005;

/** One epoch of the dense update in float64 from weights w1 [784, 100], w2 [100, 10]; returns the summed loss. */
function denseEpoch(images: Uint8Array, labels: Uint8Array, w1: Float64Array, w2: Float64Array, momentum: number, l2: number): number {
  const v1 = new Float64Array(w1.length), v2 = new Float64Array(w2.length);
  const x = new Float64Array(784), h = new Float64Array(100), z = new Float64Array(10), dz = new Float64Array(10), dh = new Float64Array(100);
  let lossSum = 0;
  const step = (w: Float64Array, v: Float64Array, o: number, g: number): void => {
    const gg = g + l2 * w[o]!;
    if (momentum > 0) {
      v[o] = momentum * v[o]! + gg;
      w[o] = w[o]! - LR * v[o]!;
    } else w[o] = w[o]! - LR * gg;
  };
  for (let r = 0; r < N; r++) {
    for (let i = 0; i < 784; i++) x[i] = images[r * 784 + i]! / 255;
    h.fill(0);
    for (let i = 0; i < 784; i++) if (x[i] !== 0) for (let j = 0; j < 100; j++) h[j] += x[i]! * w1[i * 100 + j]!;
    for (let j = 0; j < 100; j++) h[j] = Math.max(0, h[j]!);
    z.fill(0);
    for (let i = 0; i < 100; i++) for (let j = 0; j < 10; j++) z[j] += h[i]! * w2[i * 10 + j]!;
    const max = Math.max(...z);
    let sum = 0;
    for (let j = 0; j < 10; j++) sum += Math.exp(z[j]! - max);
    const label = labels[r]!;
    lossSum += Math.log(sum) + max - z[label]!;
    for (let j = 0; j < 10; j++) dz[j] = Math.exp(z[j]! - max) / sum - (j === label ? 1 : 0);
    for (let i = 0; i < 100; i++) {
      let s = 0;
      for (let j = 0; j < 10; j++) s += dz[j]! * w2[i * 10 + j]!;
      dh[i] = h[i]! > 0 ? s : 0;
    }
    for (let i = 0; i < 100; i++) for (let j = 0; j < 10; j++) step(w2, v2, i * 10 + j, h[i]! * dz[j]!);
    for (let i = 0; i < 784; i++) for (let j = 0; j < 100; j++) step(w1, v1, i * 100 + j, x[i]! * dh[j]!);
  }
  return lossSum;
}

for (const config of [{ l2: 0.003 }, { momentum: 0.9 }, { momentum: 0.9, l2: 0.003 }]) {
  test(`an epoch of MNIST with ${JSON.stringify(config)} on the per-example kernel stays within 4e-6 of the float64 dense update`, async () => {
    const be = await createBackend('wasm', { threads: 1 });
    try {
      const train = sliceSet(loadDataset().train, 0, N);
      const model = new Model(mlpSpec({ inputSize: 784, hidden: [100], classes: 10, bias: false }), { backend: be, seed: 7 });
      const w1 = Float64Array.from(model.params[0]!.value), w2 = Float64Array.from(model.params[1]!.value);
      const trainer = new Trainer(model, train, { epochs: 1, batchSize: 1, lr: LR, shuffle: false, ...config });
      assert.notEqual((trainer as unknown as { perExample: unknown }).perExample, null);
      const log = trainer.runEpoch()!;
      const want = denseEpoch(train.images, train.labels, w1, w2, config.momentum ?? 0, config.l2 ?? 0);
      const got = model.getWeights();
      const all = [...w1, ...w2];
      assert.equal(got.length, all.length);
      let maxDiff = 0;
      for (let i = 0; i < all.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - all[i]!));
      assert.ok(maxDiff > 0, 'the float32 run gave the float64 weights');
      assert.ok(maxDiff <= 4e-6, `a weight differs by ${maxDiff}`);
      const loss = log.trainLoss * N;
      assert.ok(Math.abs(loss - want) <= 1e-5 * Math.abs(want), `the epoch's loss ${loss}, float64 ${want}`);
      console.log(`# ${JSON.stringify(config)}: max weight difference ${maxDiff.toExponential(2)}, loss ${loss} vs ${want}`);
    } finally {
      (be as { close?: () => void }).close?.();
    }
  });
}
