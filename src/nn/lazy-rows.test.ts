/**
 * The lazy row step (lazy-rows.ts) against the dense one it reformulates: SGD with L2, momentum and both, per
 * example on real MNIST images. In float64 both agree to ~1e-12 (the same update in exact arithmetic, rounded
 * in another order); in float32 the lazy weights stay as close to the float64 dense ones as the float32 dense
 * weights do (within a stated bound); runs repeat bit for bit; a state taken mid-run resumes exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { float32Backends } from '../backend/test-backends.js';
import { loadDataset } from '../data/files.js';
import { Model, mlpSpec } from './model.js';
import { LazyRows, StepPowers } from './lazy-rows.js';
import { Sgd, type SgdConfig } from './sgd.js';

const data = loadDataset();
const STEPS = 400;
const SPEC = mlpSpec({ inputSize: 784, hidden: [32], classes: 10 });
const CONFIGS: Array<{ what: string; sgd: SgdConfig }> = [
  { what: 'L2', sgd: { lr: 0.005, l2: 0.01 } },
  { what: 'momentum', sgd: { lr: 0.005, momentum: 0.9 } },
  { what: 'momentum and L2', sgd: { lr: 0.005, momentum: 0.9, l2: 0.01 } },
];

/** STEPS per-example steps on the first images; lazy: Model.trainStep (the lazy rows), else computeGradients then a dense step. */
function run(backend: Backend, sgd: SgdConfig, lazy: boolean, steps = STEPS, from?: { model: Model; opt: Sgd; done: number }): { model: Model; opt: Sgd } {
  const model = from?.model ?? new Model(SPEC, { backend, seed: 3 });
  const opt = from?.opt ?? new Sgd(backend, model.params, sgd);
  const labels = new Uint8Array(1);
  for (let s = from?.done ?? 0; s < steps; s++) {
    const i = s % 300;
    const x = model.inputBuffer(1);
    for (let j = 0; j < 784; j++) x[j] = data.train.images[i * 784 + j]! / 255;
    labels[0] = data.train.labels[i]!;
    if (lazy) model.trainStep(x, labels, 1, opt);
    else {
      model.computeGradients(x, labels, 1);
      opt.step();
    }
  }
  return { model, opt };
}

/** The largest |a - b| over the elements, relative to b's largest magnitude. */
function relDiff(a: Float64Array, b: Float64Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

for (const { what, sgd } of CONFIGS) {
  test(`lazy rows, ${what}: the dense update in float64 to 1e-12, within float32's own distance in float32`, async () => {
    const dense64 = run(refBackend('float64'), sgd, false).model.getWeights();
    const lazy64 = run(refBackend('float64'), sgd, true);
    const lazy64w = lazy64.model.getWeights();
    assert.ok(relDiff(lazy64w, dense64) < 1e-12, `float64: ${relDiff(lazy64w, dense64)}`);
    // getWeights() brings the waiting rows up to date in a copy; sync() in place, to the same values.
    lazy64.opt.sync();
    assert.deepEqual(lazy64.model.storedWeights(), lazy64w);
    for (const { label, backend } of await float32Backends()) {
      const dense32 = run(backend, sgd, false).model.getWeights();
      const lazy32 = run(backend, sgd, true).model.getWeights();
      const own = relDiff(dense32, dense64), lazy = relDiff(lazy32, dense64);
      // float32's dense update is itself ~1e-6 from float64's here; the lazy one rounds the decay less often.
      assert.ok(lazy < 2 * own + 1e-6, `${label}: lazy ${lazy} vs dense ${own} from float64`);
      assert.deepEqual(run(backend, sgd, true).model.getWeights(), lazy32, `${label}: repeatable bit for bit`);
    }
  });
}

test('lazy rows: a state taken mid-run (rows behind) resumes bit-identical, and reading the weights changes nothing', async () => {
  for (const { label, backend } of [...(await float32Backends()), { label: 'ref float64', backend: refBackend('float64') }]) {
    const sgd = CONFIGS[2]!.sgd;
    const whole = run(backend, sgd, true, 200).model.storedWeights();
    const first = run(backend, sgd, true, 77);
    first.model.getWeights(); // a read mid-run (as the lab's pictures): it must not change the run
    const state = first.opt.getState();
    assert.ok(state.buffers['rowStep'], 'rows were behind');
    const model = new Model(SPEC, { backend, seed: 3 });
    const opt = new Sgd(backend, model.params, sgd);
    opt.setState(state); // as the trainer restores: the optimizer's state, the weights as they are, then the rows as stored
    model.setWeights(first.model.getWeights());
    opt.restoreRows();
    const resumed = run(backend, sgd, true, 200, { model, opt, done: 77 }).model.storedWeights();
    assert.deepEqual(resumed, whole, label);
  }
});

test('lazy rows: a catch-up reads M^k from the table below its size and computes it beyond (StepPowers.power)', () => {
  const be = refBackend('float64');
  const [inSize, outSize] = [6, 5];
  const powers = new StepPowers(0.005, 0.9, 0.01);
  const w = be.alloc(inSize * outSize), v = be.alloc(inSize * outSize);
  for (let i = 0; i < w.length; i++) [w[i], v[i]] = [Math.sin(i + 1), Math.cos(i + 1) / 10];
  const rows = new LazyRows(be, { name: '0.W', shape: [inSize, outSize], value: w, grad: be.alloc(w.length), decay: true }, v, powers);
  const now = 9000;
  const behind = [0, 9000, 1, 4095, 4096, 8191]; // steps each row is behind (row 0 current)
  behind.forEach((k, i) => (rows.rowStep[i] = now - k));
  const [w0, v0] = [Float64Array.from(w), Float64Array.from(v)];
  const x = be.alloc(inSize);
  x.fill(1);
  rows.prepare(x, 1, now);
  const coef = new Float64Array(4);
  behind.forEach((k, i) => {
    powers.power(k, coef, 0);
    for (let j = 0; j < outSize; j++) {
      const e = i * outSize + j;
      assert.equal(w[e], k === 0 ? w0[e] : coef[0]! * w0[e]! + coef[1]! * v0[e]!, `w row ${i}`);
      assert.equal(v[e], k === 0 ? v0[e] : coef[2]! * w0[e]! + coef[3]! * v0[e]!, `v row ${i}`);
    }
    assert.equal(rows.rowStep[i], now);
  });
});
