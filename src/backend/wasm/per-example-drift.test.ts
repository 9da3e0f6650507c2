/**
 * How far the fused per-example step's float32 weight step (fl32(w - fl32(x * fl32(lr * d)))) takes training
 * from the float64 step rounded once (w - lr * g, Model.trainStep's), on real MNIST: the chapter's net
 * (784-100-10, ReLU, no bias, lr 0.005, weights U(-0.1, 0.1)), one epoch of 1,000 images, batch 1, on the
 * wasm backend, the fused kernel against the same steps kernel by kernel. The bound: every weight within
 * 1e-6 of the other run's (measured about 1e-7, a few float32 ulps of weights below 0.3), the epoch's summed
 * loss within a relative 1e-6 (measured about 1e-8) and the count of right answers within 2 (measured equal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../create.js';
import { composedPerExampleSgd } from '../per-example-ref.js';
import type { PerExampleBatch, PerExampleNet } from '../per-example.js';
import type { Backend } from '../backend.js';
import { loadDataset } from '../../data/files.js';
import { Rng } from '../../rng/mt19937.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const N = 1000;

function net(be: Backend, init: readonly Float32Array[]): PerExampleNet {
  const sizes = [784, 100, 10];
  return {
    layers: sizes.slice(1).map((outSize, i) => {
      const weights = be.alloc(sizes[i]! * outSize);
      weights.set(init[i]!);
      return { inSize: sizes[i]!, outSize, weights, weightRule: { kind: 'sgd' as const, lr: 0.005 }, bias: null };
    }),
  };
}

test(`an epoch of MNIST with the fused float32 step stays within 1e-6 of the float64 step's (seed ${SEED})`, async () => {
  const be = await createBackend('wasm', { threads: 1 });
  try {
    const { train } = loadDataset();
    const rng = new Rng(SEED);
    const init = [784 * 100, 100 * 10].map((n) => Float32Array.from({ length: n }, () => 0.2 * rng.random() - 0.1));
    const fusedNet = net(be, init), stepNet = net(be, init);
    const idx = Int32Array.from({ length: N }, () => Math.floor(rng.random() * train.count));
    const labels = Uint8Array.from(idx, (i) => train.labels[i]!);
    const batch = (): PerExampleBatch => ({ images: train.images, idx, start: 0, count: N, labels, divisor: 255, losses: new Float64Array(N), correct: new Uint8Array(N) });
    const a = batch(), b = batch();
    assert.equal(be.perExampleSgd!(fusedNet)!.steps(a), N);
    assert.equal(composedPerExampleSgd(be, stepNet, 'float64').steps(b), N);
    let maxDiff = 0;
    let differ = 0;
    fusedNet.layers.forEach((l, i) => {
      const w = stepNet.layers[i]!.weights;
      for (let j = 0; j < w.length; j++) {
        const d = Math.abs(l.weights[j]! - w[j]!);
        if (d > 0) differ++;
        maxDiff = Math.max(maxDiff, d);
      }
    });
    // Not the same run: the steps do differ (else this would bound nothing).
    assert.ok(differ > 0, 'the two steps gave the same weights');
    assert.ok(maxDiff <= 1e-6, `a weight differs by ${maxDiff} (seed ${SEED})`);
    const sum = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => s + v, 0);
    const la = sum(a.losses), lb = sum(b.losses);
    assert.ok(Math.abs(la - lb) <= 1e-6 * Math.abs(lb), `the epoch's loss ${la}, float64 step ${lb} (seed ${SEED})`);
    assert.ok(Math.abs(sum(a.correct) - sum(b.correct)) <= 2, `right answers ${sum(a.correct)}, float64 step ${sum(b.correct)} (seed ${SEED})`);
  } finally {
    (be as { close?: () => void }).close?.();
  }
});
