import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import { float32Backends } from '../backend/test-backends.js';
import type { Backend } from '../backend/backend.js';
import { loadDataset } from '../data/files.js';
import { sliceSet } from '../data/dataset.js';
import { Model, mlpSpec } from '../nn/model.js';
import { fit, Trainer } from './trainer.js';
import { evaluate } from './evaluate.js';
import type { EpochLogs } from './callbacks.js';

const data = loadDataset();
const spec = (dropout = 0) => mlpSpec({ inputSize: 784, hidden: [32], classes: 10, dropout });
const withoutSeconds = (h: EpochLogs[]) => h.map(({ seconds: _s, ...rest }) => rest);

const backends = await float32Backends();

function run(backend: Backend, seed: number, dropout = 0.3) {
  const model = new Model(spec(dropout), { backend, seed });
  const r = fit(model, sliceSet(data.train, 0, 200), { epochs: 3, batchSize: 10, lr: 0.05, momentum: 0.5, test: sliceSet(data.test, 0, 200) });
  return { model, r };
}

function chapterRun(backend: Backend) {
  const model = new Model(mlpSpec({ inputSize: 784, hidden: [100], classes: 10 }), { backend, seed: 1 });
  return fit(model, sliceSet(data.train, 0, 1000), { epochs: 5, lr: 0.005, test: sliceSet(data.test, 0, 2000), evalEvery: 5 });
}

for (const { label, backend } of backends) {
  test(`${label}: same seed, same numbers, bit for bit; another seed differs`, () => {
    const a = run(backend, 7);
    const b = run(backend, 7);
    assert.deepEqual(withoutSeconds(a.r.history), withoutSeconds(b.r.history));
    assert.deepEqual(a.model.getWeights(), b.model.getWeights());
    const c = run(backend, 8);
    assert.notDeepEqual(withoutSeconds(a.r.history), withoutSeconds(c.r.history));
  });

  test(`${label}: real MNIST, 1,000 images, 5 epochs of per-example SGD reach >= 0.80 test accuracy on 2,000 test images`, () => {
    const r = chapterRun(backend);
    assert.equal(r.stopReason, 'completed');
    const last = r.history[4]!;
    assert.ok(last.testAcc! >= 0.8, `test acc ${last.testAcc}`);
    assert.ok(last.trainAcc > 0.85, `train acc ${last.trainAcc}`);
    assert.equal(r.history[1]!.testAcc, undefined, 'no test pass on epoch 2 with evalEvery 5');
    assert.ok(r.history[0]!.testAcc !== undefined, 'a test pass on the first epoch');
  });
}

test('wasm on one thread and on two: bit-identical training (a fixed split and summation order)', () => {
  const [, one, two] = backends;
  const a = run(one!.backend, 3, 0.5);
  const b = run(two!.backend, 3, 0.5);
  assert.deepEqual(withoutSeconds(a.r.history), withoutSeconds(b.r.history));
  assert.deepEqual(a.model.getWeights(), b.model.getWeights());
});

test('wasm trains as ref does, to float32 rounding: same seed, test accuracy within 0.5 points', () => {
  const [ref, wasm] = backends;
  const a = run(ref!.backend, 11, 0.5);
  const b = run(wasm!.backend, 11, 0.5);
  a.r.history.forEach((l, i) => {
    const m = b.r.history[i]!;
    assert.ok(Math.abs(l.testAcc! - m.testAcc!) <= 0.005, `epoch ${i + 1}: ref ${l.testAcc}, wasm ${m.testAcc}`);
    assert.ok(Math.abs(l.trainLoss - m.trainLoss) <= 1e-3 * l.trainLoss, `epoch ${i + 1}: ref loss ${l.trainLoss}, wasm ${m.trainLoss}`);
  });
  const wa = a.model.getWeights(), wb = b.model.getWeights();
  let maxDiff = 0;
  for (let i = 0; i < wa.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wa[i]! - wb[i]!));
  assert.ok(maxDiff < 1e-4, `largest weight difference ${maxDiff}`);
});

test('a short last batch is trained too; every example is seen once per epoch', () => {
  const model = new Model(spec(), { backend: refBackend('float64'), seed: 2 });
  const seen: number[] = [];
  const t = new Trainer(model, sliceSet(data.train, 0, 250), { epochs: 1, batchSize: 100, callbacks: [{ onBatchEnd: (i) => seen.push(i.size) }] });
  t.runEpoch();
  assert.deepEqual(seen, [100, 100, 50]);
});

test('without shuffling the examples come in file order', () => {
  const model = new Model(spec(), { backend: refBackend('float64'), seed: 2 });
  const t = new Trainer(model, sliceSet(data.train, 0, 20), { epochs: 1, shuffle: false, batchSize: 5 });
  t.runBatch();
  assert.deepEqual(Array.from(t.progress!.order), Array.from({ length: 20 }, (_, i) => i));
});

for (const { label, backend } of backends) {
  test(`${label}: divergence stops training with a message and keeps the last good weights`, () => {
    const model = new Model(spec(), { backend, seed: 1 });
    const r = fit(model, sliceSet(data.train, 0, 100), { epochs: 5, lr: 1e30, batchSize: 10 });
    assert.equal(r.stopReason, 'diverged');
    assert.match(r.message, /diverged at epoch \d+.*lower learning rate/);
    assert.ok(model.getWeights().every(Number.isFinite));
  });
}

test('a callback can stop training', () => {
  const model = new Model(spec(), { backend: refBackend('float32'), seed: 1 });
  const r = fit(model, sliceSet(data.train, 0, 50), { epochs: 10, callbacks: [{ onEpochEnd: (l, t) => l.epoch === 2 && t.stop('stopped', 'enough') }] });
  assert.equal(r.epochs, 2);
  assert.equal(r.message, 'enough');
});

test('runFor: slices end with their epoch and when training is done, and never change the numbers', () => {
  const make = () => new Trainer(new Model(spec(0.3), { backend: refBackend('float32'), seed: 4 }), sliceSet(data.train, 0, 60), { epochs: 3, batchSize: 7, test: sliceSet(data.test, 0, 50) });
  const whole = make();
  while (whole.runBatch());
  for (const ms of [0, Infinity]) {
    const t = make();
    const slices: Array<{ batches: number; epoch: number | null; more: boolean }> = [];
    for (let more = true; more; ) {
      const s = t.runFor(ms);
      slices.push({ batches: s.batches, epoch: s.epochEnded?.epoch ?? null, more: s.more });
      more = s.more;
    }
    if (ms === Infinity) {
      // 9 batches an epoch: each slice runs to its epoch's end; the last also ends training.
      assert.deepEqual(slices, [{ batches: 9, epoch: 1, more: true }, { batches: 9, epoch: 2, more: true }, { batches: 9, epoch: 3, more: false }]);
    } else {
      assert.equal(slices.length, 27, 'a slice of 0 ms runs one batch');
      assert.deepEqual(slices.filter((s) => s.epoch !== null).map((s) => s.epoch), [1, 2, 3]);
    }
    assert.deepEqual(t.runFor(ms), { batches: 0, epochEnded: null, more: false }, 'nothing left to run');
    assert.deepEqual(withoutSeconds(t.history), withoutSeconds(whole.history));
    assert.deepEqual(t.model.getWeights(), whole.model.getWeights());
  }
});

test('labels the model has no output for are refused before training (not reported as divergence)', () => {
  const model = new Model(mlpSpec({ inputSize: 784, hidden: [8], classes: 5 }), { backend: refBackend(), seed: 1 });
  const digits = sliceSet(data.train, 0, 100); // labels 0 to 9
  assert.throws(() => fit(model, digits, { epochs: 1, lr: 0.1 }), { name: 'DataError', message: /^training data: a label is 9 but the model has 5 outputs \(classes 0 to 4\)$/ });
  const fives = [...Array(100).keys()].filter((i) => data.train.labels[i]! < 5);
  const low = { ...digits, images: new Uint8Array(fives.flatMap((i) => [...data.train.images.subarray(i * 784, (i + 1) * 784)])), labels: new Uint8Array(fives.map((i) => data.train.labels[i]!)), count: fives.length };
  assert.throws(() => fit(model, low, { epochs: 1, lr: 0.1, test: sliceSet(data.test, 0, 100) }), { name: 'DataError', message: /^test data: a label is 9/ });
  assert.equal(fit(model, low, { epochs: 1, lr: 0.1 }).stopReason, 'completed');
  assert.throws(() => evaluate(model, sliceSet(data.test, 0, 100)), { name: 'DataError', message: /^evaluate: a label is 9/ });
});
