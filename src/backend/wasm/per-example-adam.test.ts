/**
 * The wasm backend's per-example step with Adam rules (assembly/per-example-adam.ts: the first layer's rows
 * lazy) against its JavaScript reference (composedPerExampleAdam) bit for bit: weights, moments, biases, the
 * rows' pending state, losses and counts, over calls of uneven lengths that cross blocks' ends, from step 0
 * (the early blocks: the series in eps / sqrt(v) and the steps one by one) and from a later step (the series
 * around the block's mean), with and without biases, widths that are not multiples of four, two hidden layers, none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../create.js';
import type { Backend, FloatArray } from '../backend.js';
import { composedPerExampleAdam } from '../per-example-adam-ref.js';
import type { PerExampleAdamRule } from '../per-example-adam.js';
import type { PerExampleBatch, PerExampleNet } from '../per-example.js';
import { AdamRows } from '../../nn/adam-rows.js';
import { loadDataset } from '../../data/files.js';
import { Rng } from '../../rng/mt19937.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const C = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
/** Adam's settings of the runs: the usual, and an eps so small that eps^2 D2 underflows (three terms in z, not folded). */
const SETTINGS = [C, { ...C, eps: 1e-24 }];

interface Made {
  net: PerExampleNet;
  rows: AdamRows;
  buffers: () => Float32Array[];
  step: { now: number };
}

function makeNet(be: Backend, sizes: number[], withBias: boolean, seed: number, start: number, c: typeof C = C): Made {
  const rng = new Rng(seed);
  const step = { now: start };
  const bufs: FloatArray[] = [];
  const alloc = (n: number, fill: () => number) => {
    const b = be.alloc(n);
    for (let i = 0; i < n; i++) b[i] = fill();
    bufs.push(b);
    return b;
  };
  const rule = (rows: AdamRows | null, m: FloatArray, v: FloatArray): PerExampleAdamRule => ({ kind: 'adam', ...c, m, v, rows, now: () => step.now });
  let rows: AdamRows | null = null;
  const layers = sizes.slice(1).map((out, i) => {
    const inSize = sizes[i]!;
    const n = inSize * out;
    const weights = alloc(n, () => 0.2 * rng.random() - 0.1);
    // Moments as a run would have them at `start` (zero at step 0).
    const m = alloc(n, () => (start === 0 ? 0 : (rng.random() - 0.5) * 1e-3));
    const v = alloc(n, () => (start === 0 ? 0 : rng.random() < 0.2 ? 0 : rng.random() ** 4 * 1e-6));
    if (start !== 0) for (let j = 0; j < n; j++) if (v[j] === 0) m[j] = 0;
    if (i === 0) {
      rows = new AdamRows(be, inSize, out, c, weights, m, v);
      rows.setAll(start);
    }
    const bias = withBias
      ? { value: alloc(out, () => 0.2 * rng.random() - 0.1), grad: alloc(out, () => 0), rule: rule(null, alloc(out, () => 0), alloc(out, () => 0)) }
      : null;
    return { inSize, outSize: out, weights, weightRule: rule(i === 0 ? rows : null, m, v), bias };
  });
  const r = rows!;
  return { net: { layers }, rows: r, step, buffers: () => [...bufs.map((b) => Float32Array.from(b)), Float32Array.from(r.px), Float32Array.from(r.at)] };
}

for (const [start, settings] of [[0, 0], [2000, 0], [2000, 1]] as const) {
  const runs = [[[784, 100, 10], false], [[784, 100, 10], true], [[784, 37, 6, 10], true], [[784, 10], true]] as const;
  for (const [sizes, bias] of settings === 0 ? runs : runs.slice(1, 2)) {
    test(`Adam per-example kernel = its JavaScript reference bit for bit (${sizes.join('-')}, bias ${bias}, from step ${start}, eps ${SETTINGS[settings]!.eps}, seed ${SEED})`, async () => {
      const be = await createBackend('wasm', { threads: 1 });
      try {
        const { train } = loadDataset();
        const rng = new Rng(SEED);
        const a = makeNet(be, [...sizes], bias, SEED, start, SETTINGS[settings]), b = makeNet(be, [...sizes], bias, SEED, start, SETTINGS[settings]);
        const fast = be.perExampleSgd!(a.net);
        assert.ok(fast, 'the backend takes the net');
        const ref = composedPerExampleAdam(be, b.net);
        const N = 700;
        const idx = Int32Array.from({ length: N }, () => Math.floor(rng.random() * train.count));
        let at = 0;
        for (const count of [1, 90, 37, 200, 3, 128, 241]) {
          const labels = Uint8Array.from(idx.subarray(at, at + count), (i) => train.labels[i]!);
          const batch = (): PerExampleBatch => ({ images: train.images, idx, start: at, count, labels, divisor: 255, losses: new Float64Array(count), correct: new Uint8Array(count) });
          const x = batch(), y = batch();
          assert.equal(fast!.steps(x), count);
          assert.equal(ref.steps(y), count);
          a.step.now += count;
          b.step.now += count;
          at += count;
          assert.deepEqual(x.losses, y.losses, `losses after step ${a.step.now}`);
          assert.deepEqual(x.correct, y.correct);
          const ba = a.buffers(), bb = b.buffers();
          ba.forEach((buf, i) => {
            const other = bb[i]!;
            for (let j = 0; j < buf.length; j++) {
              if (!Object.is(buf[j], other[j])) assert.fail(`buffer ${i} element ${j} after step ${a.step.now}: ${buf[j]} vs ${other[j]}`);
            }
          });
        }
        // The rows' sync (the optimizer's, at an epoch's end) in WebAssembly and in JavaScript.
        a.rows.sync(a.step.now);
        b.rows.syncWith(null);
        b.rows.sync(b.step.now);
        assert.ok(!a.rows.behind(a.step.now) && !b.rows.behind(b.step.now));
        assert.deepEqual(a.buffers(), b.buffers(), 'after sync');
      } finally {
        (be as { close?: () => void }).close?.();
      }
    });
  }
}
