/**
 * Centred finite differences in float64 for every layer, both losses and whole networks:
 * relative error between the analytic and numeric gradient < 1e-6.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import { bufferFrom, type FloatArray } from '../backend/backend.js';
import { Rng } from '../rng/mt19937.js';
import { Model, type ModelSpec } from './model.js';
import type { LayerSpec } from './layer.js';
import { lossAndGrad } from './losses.js';

const be = refBackend('float64');
const EPS = 1e-5;

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-8);
}

function randomArray(n: number, rng: Rng, scale = 1, awayFromZero = 0): FloatArray {
  const a = be.alloc(n);
  for (let i = 0; i < n; i++) {
    let v = (2 * rng.random() - 1) * scale;
    if (Math.abs(v) < awayFromZero) v = v < 0 ? v - awayFromZero : v + awayFromZero;
    a[i] = v;
  }
  return a;
}

/** Checks d(loss)/d(w) for every entry of w (or a sample of at most maxChecks) against centred differences. */
function checkGradient(w: FloatArray, analytic: Readonly<FloatArray>, loss: () => number, maxChecks = 60): number {
  let worst = 0;
  const step = Math.max(1, Math.floor(w.length / maxChecks));
  for (let i = 0; i < w.length; i += step) {
    const keep = w[i]!;
    w[i] = keep + EPS;
    const up = loss();
    w[i] = keep - EPS;
    const down = loss();
    w[i] = keep;
    const numeric = (up - down) / (2 * EPS);
    worst = Math.max(worst, relErr(analytic[i]!, numeric));
  }
  return worst;
}

/**
 * A whole model: loss = mean loss over a batch. Dropout masks are kept fixed across the evaluations by
 * restoring the generator's state before each forward pass.
 */
function checkModel(spec: ModelSpec, rows: number, seed = 3): void {
  const model = new Model(spec, { backend: be, seed });
  const rng = new Rng(seed + 100);
  // Non-zero-centred weights and inputs keep ReLU pre-activations away from their kink.
  const x = model.inputBuffer(rows);
  x.set(randomArray(rows * spec.inputSize, rng, 1, 0.05));
  const labels = new Uint8Array(rows).map(() => rng.randint(model.outputSize));
  const state = model.rng.getState();
  const loss = () => {
    model.rng.setState(state);
    const out = model.forward(x, rows, 'train');
    return lossAndGrad(be, spec.loss, null, out, labels, rows, model.outputSize) / rows;
  };
  model.rng.setState(state);
  model.computeGradients(x, labels, rows);
  const grads = model.params.map((p) => bufferFrom(be, p.grad));
  model.params.forEach((p, i) => {
    const err = checkGradient(p.value, grads[i]!, loss);
    assert.ok(err < 1e-6, `${JSON.stringify(spec.layers.map((l) => l.type))} ${spec.loss}: param ${p.name} relative error ${err}`);
  });
}

const dense = (units: number, bias = true): LayerSpec => ({ type: 'dense', units, bias, init: 'glorot' });

test('gradient: dense with and without bias, both losses', () => {
  for (const loss of ['ce', 'mse'] as const) {
    checkModel({ inputSize: 7, layers: [dense(5)], loss }, 4);
    checkModel({ inputSize: 7, layers: [dense(5, false)], loss }, 3);
  }
});

test('gradient: each activation between two dense layers', () => {
  for (const act of ['relu', 'sigmoid', 'tanh', 'softmax'] as const) {
    for (const loss of ['ce', 'mse'] as const) checkModel({ inputSize: 6, layers: [dense(8), { type: act }, dense(4)], loss }, 5);
  }
});

test('gradient: dropout (fixed mask) between dense layers', () => {
  checkModel({ inputSize: 6, layers: [dense(10), { type: 'relu' }, { type: 'dropout', rate: 0.5 }, dense(4)], loss: 'ce' }, 5);
  checkModel({ inputSize: 6, layers: [dense(10), { type: 'tanh' }, { type: 'dropout', rate: 0.2 }, dense(3)], loss: 'mse' }, 3);
});

test('gradient: a whole deep net (784-32-16-10 with dropout) for both losses', () => {
  for (const loss of ['ce', 'mse'] as const) {
    checkModel(
      {
        inputSize: 784,
        layers: [dense(32), { type: 'relu' }, { type: 'dropout', rate: 0.3 }, dense(16), { type: 'sigmoid' }, dense(10)],
        loss,
      },
      3,
    );
  }
});

test('gradient: the losses with respect to their input', () => {
  const rng = new Rng(9);
  for (const loss of ['ce', 'mse'] as const) {
    const rows = 4;
    const cols = 6;
    const y = randomArray(rows * cols, rng, 3);
    const labels = new Uint8Array([0, 5, 2, 2]);
    const grad = be.alloc(rows * cols);
    lossAndGrad(be, loss, grad, y, labels, rows, cols);
    const err = checkGradient(y, grad, () => lossAndGrad(be, loss, null, y, labels, rows, cols) / rows);
    assert.ok(err < 1e-6, `${loss}: relative error ${err}`);
  }
});

test('the check can fail: a wrong gradient is caught', () => {
  const w = bufferFrom(be, [0.3, -0.2]);
  const loss = () => w[0]! * w[0]! + 3 * w[1]!;
  assert.ok(checkGradient(w, bufferFrom(be, [0.6, 3]), loss) < 1e-6);
  assert.ok(checkGradient(w, bufferFrom(be, [0.6, 3.001]), loss) > 1e-6);
});
