/**
 * Adam against a float64 implementation of the published algorithm (Kingma & Ba 2015, Algorithm 1, with
 * PyTorch's coupled weight decay), step by step, on every backend; the kernel's fast version against the
 * reference's; and its state's round trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import { float32Backends } from '../backend/test-backends.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../rng/mt19937.js';
import { Adam, ADAM_DEFAULTS, type AdamConfig } from './adam.js';
import { Model, mlpSpec } from './model.js';

const backends = [...(await float32Backends()), { label: 'ref float64', backend: refBackend('float64') }];

/** The paper's Algorithm 1 in float64, PyTorch's weight decay on the decayed parameters: one step at t. */
function paperAdamStep(w: Float64Array, m: Float64Array, v: Float64Array, g: ArrayLike<number>, c: Required<AdamConfig>, decay: boolean, t: number): void {
  for (let i = 0; i < w.length; i++) {
    const gi = decay ? g[i]! + c.l2 * w[i]! : g[i]!;
    m[i] = c.beta1 * m[i]! + (1 - c.beta1) * gi;
    v[i] = c.beta2 * v[i]! + (1 - c.beta2) * gi * gi;
    const mHat = m[i]! / (1 - Math.pow(c.beta1, t));
    const vHat = v[i]! / (1 - Math.pow(c.beta2, t));
    w[i] = w[i]! - (c.lr * mHat) / (Math.sqrt(vHat) + c.eps);
  }
}

function fillBatch(model: Model, rng: Rng, rows: number) {
  const x = model.inputBuffer(rows);
  for (let i = 0; i < x.length; i++) x[i] = rng.random() < 0.7 ? 0 : rng.random();
  return { x, labels: Uint8Array.from({ length: rows }, () => rng.randint(10)) };
}

const CASES: Array<{ what: string; config: AdamConfig }> = [
  { what: 'defaults but lr 0.01', config: { lr: 0.01 } },
  { what: 'L2 0.01 on the weights, other betas and eps', config: { lr: 0.005, beta1: 0.8, beta2: 0.99, eps: 1e-6, l2: 0.01 } },
];

for (const { label, backend } of backends) {
  for (const c of CASES) {
    test(`${label}: Adam's update equals the paper's algorithm over 8 steps: ${c.what}`, () => {
      const model = new Model(mlpSpec({ inputSize: 30, hidden: [12], classes: 10 }), { backend, seed: 3 });
      const adam = new Adam(backend, model.params, c.config);
      const cfg = { ...ADAM_DEFAULTS, ...c.config };
      const ref = model.params.map((p) => ({ w: Float64Array.from(p.value), m: new Float64Array(p.value.length), v: new Float64Array(p.value.length) }));
      const rng = new Rng(11);
      // float32 buffers round w, m and v at every step; float64 ones agree to the last few bits.
      const tol = backend.dtype === 'float64' ? 1e-13 : 2e-7;
      for (let t = 1; t <= 8; t++) {
        const { x, labels } = fillBatch(model, rng, 5);
        model.computeGradients(x, labels, 5);
        model.params.forEach((p, i) => paperAdamStep(ref[i]!.w, ref[i]!.m, ref[i]!.v, p.grad, cfg, p.decay, t));
        const before = model.params.map((p) => Float64Array.from(p.value));
        adam.step();
        model.params.forEach((p, i) => {
          for (let j = 0; j < p.value.length; j++) {
            const err = Math.abs(p.value[j]! - ref[i]!.w[j]!);
            assert.ok(err <= tol, `step ${t}, ${p.name}[${j}]: ${p.value[j]} vs the paper's ${ref[i]!.w[j]} (error ${err})`);
          }
          // Keep the reference on the backend's own weights, so float32 rounding does not pile up.
          ref[i]!.w.set(p.value);
        });
        if (t === 1 && !c.config.l2) {
          // Bias-corrected, the first step moves every weight with a gradient well above eps by lr: m/sqrt(v) = g / (|g| + eps).
          const p = model.params[0]!;
          for (let j = 0; j < p.value.length; j++) {
            if (Math.abs(p.grad[j]!) > 1e-4) assert.ok(Math.abs(Math.abs(p.value[j]! - before[0]![j]!) - cfg.lr) < 2e-4 * cfg.lr + 1e-7, `first step of ${p.name}[${j}]`);
          }
        }
      }
      assert.equal(adam.stepCount, 8);
      adam.dispose();
      model.dispose();
    });
  }
}

test('wasm adamStep equals the reference kernel bit for bit (float32), with and without L2', async () => {
  const ref = refBackend('float32');
  for (const { label, backend } of (await float32Backends()).filter((b) => b.label !== 'ref')) {
    const rng = new Rng(5);
    for (const n of [1, 7, 1000]) {
      const bufs = [ref, backend].map((be) => ({ w: be.alloc(n), m: be.alloc(n), v: be.alloc(n), g: be.alloc(n) }));
      for (let i = 0; i < n; i++) {
        const vals = [rng.random() - 0.5, (rng.random() - 0.5) * 0.1, rng.random() * 0.01, (rng.random() - 0.5) * 0.3];
        for (const b of bufs) [b.w[i], b.m[i], b.v[i], b.g[i]] = vals;
      }
      for (const [t, l2] of [[1, 0], [2, 0.01], [30, 0.1]] as const) {
        for (const [be, b] of [[ref, bufs[0]!], [backend, bufs[1]!]] as const) be.adamStep(b.w, b.m, b.v, b.g, 0.01, 0.9, 0.999, 1e-8, l2, t, n);
        for (const k of ['w', 'm', 'v'] as const) assert.deepEqual(Float32Array.from(bufs[1]![k]), Float32Array.from(bufs[0]![k]), `${label}, n ${n}, step ${t}: ${k}`);
      }
    }
  }
});

test("Adam's state round trip: a fresh Adam given getState() continues exactly as the one it came from", () => {
  for (const backend of [refBackend('float32'), refBackend('float64')]) {
    const spec = mlpSpec({ inputSize: 20, hidden: [8], classes: 10 });
    const [a, b] = [new Model(spec, { backend, seed: 2 }), new Model(spec, { backend, seed: 2 })];
    const adamA = new Adam(backend, a.params, { lr: 0.01, l2: 0.001 });
    const rng = new Rng(4);
    const batches = Array.from({ length: 6 }, () => fillBatch(a, rng, 3)).map(({ x, labels }) => ({ x: Float64Array.from(x), labels }));
    const run = (m: Model, opt: Adam, from: number, to: number) => {
      for (let s = from; s < to; s++) {
        const x = m.inputBuffer(3);
        x.set(batches[s]!.x);
        m.trainStep(x, batches[s]!.labels, 3, opt);
      }
    };
    run(a, adamA, 0, 3);
    const state = adamA.getState();
    assert.equal(state.step, 3);
    b.setWeights(a.getWeights());
    const adamB = new Adam(backend, b.params, { lr: 0.01, l2: 0.001 });
    adamB.setState(state);
    run(a, adamA, 3, 6);
    run(b, adamB, 3, 6);
    assert.deepEqual(b.getWeights(), a.getWeights(), backend.dtype);
    assert.deepEqual(adamB.getState(), adamA.getState(), backend.dtype);
  }
});

test('Adam refuses bad settings and a state that is not its own', () => {
  const be = refBackend('float32');
  const model = new Model(mlpSpec({ inputSize: 4, hidden: [3], classes: 2 }), { backend: be, seed: 1 });
  for (const bad of [{ lr: 0 }, { beta1: 1 }, { beta2: -0.1 }, { eps: 0 }, { l2: -1 }, { lr: NaN }] as AdamConfig[]) {
    assert.throws(() => new Adam(be, model.params, bad), ConfigError, JSON.stringify(bad));
  }
  const adam = new Adam(be, model.params);
  const good = adam.getState();
  assert.throws(() => adam.setState({ ...good, name: 'sgd' }), /written by sgd, this run uses adam/);
  assert.throws(() => adam.setState({ ...good, buffers: { m: good.buffers.m! } }), /expected 4 second moment buffers, got none/);
  assert.throws(() => adam.setState({ ...good, buffers: { ...good.buffers, m: [...good.buffers.m!].reverse() } }), /first moment buffer 0 does not fit/);
  assert.throws(() => adam.setState({ ...good, step: -1 }), /step count/);
  adam.setState(good);
});
