import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FloatArray } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { Model } from '../nn/model.js';
import { Dropout } from '../nn/dropout.js';
import { Sgd } from '../nn/sgd.js';
import { Rng } from '../rng/mt19937.js';
import { BOOK_QUIRKS, BookNet, FIXED_QUIRKS, bookLayers, type BookQuirks } from './book-model.js';

// Golden values from ../shared/reference/numpy-legacy-rng.md: numpy seed(1),
// w01 = 0.2*random((784,H)) - 0.1, then w12 = 0.2*random((H,10)) - 0.1.
test("the book's init weights, hidden 40", () => {
  const net = new BookNet({ hidden: 40, dropout: false, lr: 0.0025, quirks: BOOK_QUIRKS });
  assert.deepEqual(Array.from(net.w01.subarray(0, 3)), [-0.016595599059485197, 0.04406489868843161, -0.09997712503653103]);
  assert.deepEqual(Array.from(net.w12.subarray(0, 3)), [-0.012913804161475667, -0.097655318647653, -0.037727764940667034]);
  assert.equal(net.w01[783 * 40 + 39], 0.054961713106187526);
  assert.equal(net.w12[39 * 10 + 9], -0.02455863100110911);
});

test("the book's init weights, hidden 100 (with dropout: the masks draw after the weights)", () => {
  const net = new BookNet({ hidden: 100, dropout: true, lr: 0.05, quirks: BOOK_QUIRKS });
  assert.deepEqual(Array.from(net.w01.subarray(0, 3)), [-0.016595599059485197, 0.04406489868843161, -0.09997712503653103]);
  assert.deepEqual(Array.from(net.w12.subarray(0, 3)), [-0.020981925388281294, 0.0733349381196477, -0.029018575123598914]);
  assert.equal(net.w01[783 * 100 + 99], 0.029854859832681185);
  assert.equal(net.w12[99 * 10 + 9], -0.010998012416772812);
});

const P = 784;
const C = 10;

/** A batch like MNIST's: pixels in [0, 1], most of them 0. */
function batch(rows: number, seed: number): { x: FloatArray; labels: Uint8Array } {
  const rng = new Rng(seed);
  const x = refBackend('float64').alloc(rows * P);
  for (let i = 0; i < x.length; i++) x[i] = rng.random() < 0.7 ? 0 : rng.random();
  const labels = Uint8Array.from({ length: rows }, () => rng.randint(C));
  return { x, labels };
}

/**
 * The book's code for one batch, literally (the trusted reference): numpy's loops in plain TypeScript.
 * mask01 is the 0/1 dropout mask, null without dropout. Updates w01 and w12 in place.
 */
function bookStepLiterally(
  w01: Float64Array,
  w12: Float64Array,
  x: Readonly<FloatArray>,
  labels: Uint8Array,
  mask01: Float64Array | null,
  h: number,
  alpha: number,
  quirks: BookQuirks,
): void {
  const B = labels.length;
  const pre = new Float64Array(B * h);
  const l1 = new Float64Array(B * h);
  const l2 = new Float64Array(B * C);
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += x[r * P + p]! * w01[p * h + j]!;
      pre[r * h + j] = s;
      l1[r * h + j] = (s >= 0 ? s : 0) * (mask01 ? mask01[r * h + j]! * 2 : 1); // layer_1 *= dropout_mask * 2
    }
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let j = 0; j < h; j++) s += l1[r * h + j]! * w12[j * C + c]!;
      l2[r * C + c] = s;
    }
  }
  const delta2 = new Float64Array(B * C);
  for (let r = 0; r < B; r++) for (let c = 0; c < C; c++) delta2[r * C + c] = ((labels[r] === c ? 1 : 0) - l2[r * C + c]!) / (quirks.updateInsideExampleLoop ? B : 1);
  const updates = quirks.updateInsideExampleLoop ? B : 1; // `for k in range(batch_size)` around the update, or not
  for (let k = 0; k < updates; k++) {
    const delta1 = new Float64Array(B * h);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += delta2[r * C + c]! * w12[j * C + c]!;
        const deriv = quirks.reluDerivOnOutput ? (l1[r * h + j]! >= 0 ? 1 : 0) : pre[r * h + j]! > 0 ? 1 : 0;
        delta1[r * h + j] = s * deriv * (mask01 ? mask01[r * h + j]! : 1); // layer_1_delta *= dropout_mask
      }
    }
    for (let j = 0; j < h; j++) for (let c = 0; c < C; c++) {
      let s = 0;
      for (let r = 0; r < B; r++) s += l1[r * h + j]! * delta2[r * C + c]!;
      w12[j * C + c] = w12[j * C + c]! + alpha * s;
    }
    for (let p = 0; p < P; p++) for (let j = 0; j < h; j++) {
      let s = 0;
      for (let r = 0; r < B; r++) s += x[r * P + p]! * delta1[r * h + j]!;
      w01[p * h + j] = w01[p * h + j]! + alpha * s;
    }
  }
}

/** One BookNet step (the engine's gradients and SGD) against the literal book code, from the same weights. */
function compareWithBook(quirks: BookQuirks, dropout: boolean, rows: number, seed: number): { maxRel: number; w01Moved: number } {
  const h = 8;
  const alpha = 0.01;
  const lr = (alpha * rows) / 2;
  const net = new BookNet({ hidden: h, dropout, lr, quirks, seed });
  const w01 = Float64Array.from(net.w01);
  const w12 = Float64Array.from(net.w12);
  const before = Float64Array.from(net.w01);
  const { x, labels } = batch(rows, seed + 1);
  net.computeGradients(x, labels, rows);
  new Sgd(net.backend, net.params, { lr }).step();
  const mask = dropout ? (net.layers[2] as Dropout).dropoutMask! : null;
  const mask01 = mask ? Float64Array.from(mask, (m) => m / 2) : null;
  bookStepLiterally(w01, w12, x, labels, mask01, h, alpha, quirks);
  let maxRel = 0;
  let w01Moved = 0;
  for (const [got, want] of [[net.w01, w01], [net.w12, w12]] as const) {
    for (let i = 0; i < want.length; i++) maxRel = Math.max(maxRel, Math.abs(got[i]! - want[i]!) / Math.max(1e-3, Math.abs(want[i]!)));
  }
  for (let i = 0; i < before.length; i++) w01Moved = Math.max(w01Moved, Math.abs(w01[i]! - before[i]!));
  return { maxRel, w01Moved };
}

test("BookNet's batch step (update inside the example loop, rearranged) equals the book's literal loop", () => {
  for (const seed of [1, 2, 3]) {
    const { maxRel, w01Moved } = compareWithBook(BOOK_QUIRKS, true, 10, seed);
    assert.ok(w01Moved > 1e-4, 'the step moved W01');
    assert.ok(maxRel < 1e-12, `relative difference ${maxRel}`);
  }
});

test('BookNet --fixed batch step (one update of alpha x sum, derivative from the pre-activation) equals the literal fix', () => {
  for (const seed of [1, 2]) {
    const { maxRel } = compareWithBook(FIXED_QUIRKS, true, 10, seed);
    assert.ok(maxRel < 1e-12, `relative difference ${maxRel}`);
  }
});

test('BookNet per-example steps, book and fixed, with and without dropout, equal the literal book code', () => {
  for (const quirks of [BOOK_QUIRKS, FIXED_QUIRKS]) {
    for (const dropout of [false, true]) {
      const { maxRel } = compareWithBook(quirks, dropout, 1, 5);
      assert.ok(maxRel < 1e-12, `${JSON.stringify(quirks)} dropout=${dropout}: relative difference ${maxRel}`);
    }
  }
});

test("the literal reference tells the bugs apart (so the comparisons above can fail)", () => {
  // The book's step checked against the fixed code must not match, and vice versa.
  const h = 8;
  const rows = 10;
  const lr = (0.01 * rows) / 2;
  const net = new BookNet({ hidden: h, dropout: false, lr, quirks: BOOK_QUIRKS });
  const w01 = Float64Array.from(net.w01);
  const w12 = Float64Array.from(net.w12);
  const { x, labels } = batch(rows, 9);
  net.computeGradients(x, labels, rows);
  new Sgd(net.backend, net.params, { lr }).step();
  bookStepLiterally(w01, w12, x, labels, null, h, 0.01, FIXED_QUIRKS);
  let maxDiff = 0;
  for (let i = 0; i < w01.length; i++) maxDiff = Math.max(maxDiff, Math.abs(net.w01[i]! - w01[i]!));
  assert.ok(maxDiff > 1e-6, `book and fixed steps differ (${maxDiff})`);
});

test("without dropout, BookNet --fixed computes the engine's own exact gradients, bit for bit", () => {
  const net = new BookNet({ hidden: 16, dropout: false, lr: 0.05, quirks: FIXED_QUIRKS });
  const model = new Model({ inputSize: P, layers: bookLayers(16, false), loss: 'mse' }, { backend: net.backend, seed: 1 });
  assert.deepEqual(model.getWeights(), net.getWeights());
  const { x, labels } = batch(20, 4);
  const a = net.computeGradients(x, labels, 20);
  const b = model.computeGradients(x, labels, 20);
  assert.deepEqual(a, b);
  assert.deepEqual(Float64Array.from(net.gradData), Float64Array.from(model.gradData));
});
