/**
 * Model.trainStep against its unfused definition, computeGradients() then optimizer.step(), on every backend:
 * bit for bit, whether the Dense layers step their own weights (plain SGD: Backend.denseSgdStep) or fall back
 * to the optimizer (momentum, L2), with and without biases, dropout, batch 1 and a batch of 7.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { float32Backends } from '../backend/test-backends.js';
import { Rng } from '../rng/mt19937.js';
import { Model, mlpSpec } from './model.js';
import { Sgd, type SgdConfig } from './sgd.js';

const backends = [...(await float32Backends()), { label: 'ref float64', backend: refBackend('float64') }];

/** A backend that counts denseSgdStep calls (its methods do not use `this`). */
function counting(be: Backend): { backend: Backend; calls: () => number } {
  let calls = 0;
  const backend: Backend = {
    ...be,
    name: be.name,
    dtype: be.dtype,
    denseSgdStep(...args) {
      calls++;
      be.denseSgdStep(...args);
    },
  };
  return { backend, calls: () => calls };
}

// With L2 or momentum the first layer's rows are stepped lazily (lazy-rows.ts): the same update in exact
// arithmetic, rounded in another order, so those cases agree within rounding (lazy-rows.test.ts bounds it), not bit for bit.
const CASES: Array<{ what: string; sgd: SgdConfig; bias: boolean; dropout: number; rows: number; fused: number; lazy?: boolean }> = [
  { what: 'plain SGD, batch 1 (the chapter)', sgd: { lr: 0.005 }, bias: false, dropout: 0, rows: 1, fused: 2 },
  { what: 'plain SGD, biases, dropout, batch 7', sgd: { lr: 0.05 }, bias: true, dropout: 0.5, rows: 7, fused: 2 },
  { what: 'L2 on the weights (biases have none)', sgd: { lr: 0.05, l2: 0.01 }, bias: true, dropout: 0, rows: 3, fused: 0, lazy: true },
  { what: 'momentum', sgd: { lr: 0.05, momentum: 0.9 }, bias: false, dropout: 0, rows: 1, fused: 0, lazy: true },
];

for (const { label, backend: base } of backends) {
  for (const c of CASES) {
    test(`${label}: trainStep is computeGradients then step, ${c.lazy ? 'within rounding' : 'bit for bit'}: ${c.what}`, () => {
      const { backend, calls } = counting(base);
      const spec = mlpSpec({ inputSize: 50, hidden: [20], classes: 10, bias: c.bias, dropout: c.dropout });
      const fused = new Model(spec, { backend, seed: 5 });
      const plain = new Model(spec, { backend, seed: 5 });
      const sgdFused = new Sgd(backend, fused.params, c.sgd);
      const sgdPlain = new Sgd(backend, plain.params, c.sgd);
      const rng = new Rng(9);
      for (let step = 0; step < 12; step++) {
        // inputs about 80% zeros, as MNIST's pixels
        const x = fused.inputBuffer(c.rows), x2 = plain.inputBuffer(c.rows);
        for (let i = 0; i < x.length; i++) x[i] = rng.random() < 0.8 ? 0 : rng.random();
        x2.set(x);
        const labels = Uint8Array.from({ length: c.rows }, () => rng.randint(10));
        const a = fused.trainStep(x, labels, c.rows, sgdFused);
        const b = plain.computeGradients(x2, labels, c.rows);
        sgdPlain.step();
        if (c.lazy) {
          const tol = base.dtype === 'float64' ? 1e-13 : 1e-5;
          assert.ok(Math.abs(a.lossSum - b.lossSum) <= tol * Math.abs(b.lossSum), `loss, step ${step}`);
          const wa = fused.getWeights(), wb = plain.getWeights();
          for (let i = 0; i < wa.length; i++) assert.ok(Math.abs(wa[i]! - wb[i]!) <= tol * 0.2, `weight ${i} after step ${step}: ${wa[i]} vs ${wb[i]}`);
          continue;
        }
        assert.deepEqual(a, b, `step ${step}`);
        assert.deepEqual(fused.getWeights(), plain.getWeights(), `weights after step ${step}`);
      }
      assert.equal(calls(), 12 * c.fused, 'Dense layers that took their own step');
    });
  }
}

test('trainStep steps only the optimizer\'s parameters: a layer left out of it stays as it is', () => {
  const be = refBackend('float32');
  const model = new Model(mlpSpec({ inputSize: 6, hidden: [5], classes: 3, bias: false }), { backend: be, seed: 4 });
  const [frozen, last] = model.params;
  const sgd = new Sgd(be, [last!], { lr: 0.1 });
  const before = Float32Array.from(frozen!.value), lastBefore = Float32Array.from(last!.value);
  const x = model.inputBuffer(2);
  x.set([0.5, 0, 1, 0, 0.25, 1, 0, 0.75, 0, 1, 0.5, 0]);
  model.trainStep(x, Uint8Array.of(2, 0), 2, sgd);
  assert.deepEqual(Float32Array.from(frozen!.value), before);
  assert.notDeepEqual(Float32Array.from(last!.value), lastBefore);
});

test('trainStep changes nothing when the loss is not finite', () => {
  const be = refBackend('float32');
  const model = new Model(mlpSpec({ inputSize: 4, hidden: [3], classes: 2 }), { backend: be, seed: 2 });
  const sgd = new Sgd(be, model.params, { lr: 0.1 });
  model.params.find((p) => p.name === '2.W')!.value[0] = NaN; // a diverged output weight: NaN logits
  const before = model.getWeights();
  const x = model.inputBuffer(1);
  x.set([1, 0.5, 0, 1]);
  const r = model.trainStep(x, Uint8Array.of(1), 1, sgd);
  assert.ok(!Number.isFinite(r.lossSum));
  assert.deepEqual(model.getWeights(), before);
});
