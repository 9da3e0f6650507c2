/** Giving buffers back: the wasm heap's free lists, Model.dispose, and models built on reused memory. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createBackend } from '../backend/create.js';
import type { WasmBackend } from '../backend/wasm/backend.js';
import { asBuffer, view } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { loadDataset } from '../data/files.js';
import { sliceSet } from '../data/dataset.js';
import { Model, mlpSpec } from './model.js';
import { Trainer } from '../train/trainer.js';

let be: WasmBackend;
before(async () => {
  be = (await createBackend('wasm', { threads: 2 })) as WasmBackend;
});
after(() => be.close());

test('free: a block given back is handed out again, zeroed; anything but a whole live buffer is refused', () => {
  const a = be.alloc(1000);
  a.fill(7);
  const address = a.byteOffset;
  const inUse = be.bytesInUse;
  be.free!(a);
  assert.equal(be.bytesInUse, inUse - 4000);
  const b = be.alloc(1000);
  assert.equal(b.byteOffset, address);
  assert.ok(b.every((v) => v === 0));
  assert.throws(() => be.free!(view(b, 0, 10)), RangeError);
  assert.throws(() => be.free!(asBuffer(new Float32Array(1000))), RangeError);
  be.free!(b);
  assert.throws(() => be.free!(b), RangeError); // twice
});

test('a disposed model gives its memory to the next one, which trains bit for bit as on a fresh backend', async () => {
  const data = loadDataset();
  const train = sliceSet(data.train, 0, 500);
  const spec = mlpSpec({ inputSize: 784, hidden: [50], classes: 10, dropout: 0.5 });
  const trainOn = (backend: typeof be) => {
    const model = new Model(spec, { backend, seed: 3 });
    const trainer = new Trainer(model, train, { epochs: 2, batchSize: 25, lr: 0.05, momentum: 0.9 });
    while (trainer.runBatch());
    trainer.finish();
    return { model, trainer };
  };
  const first = trainOn(be);
  const weights = first.model.getWeights();
  const inUse = be.bytesInUse;
  first.trainer.optimizer.dispose();
  first.model.dispose();
  first.model.dispose(); // again: nothing
  assert.ok(be.bytesInUse < inUse, 'memory given back');
  const probe = be.alloc(784);
  assert.throws(() => first.model.forward(probe, 1, 'eval'), /disposed/);
  be.free!(probe);
  const second = trainOn(be);
  assert.equal(be.bytesInUse, inUse, 'the same blocks again, no more');
  assert.deepEqual(second.model.getWeights(), weights);
  const fresh = (await createBackend('wasm', { threads: 2 })) as WasmBackend;
  try {
    assert.deepEqual(trainOn(fresh).model.getWeights(), weights);
  } finally {
    fresh.close();
  }
  // The reference backend has no free: dispose() is harmless there.
  const m = new Model(spec, { backend: refBackend('float32'), seed: 1 });
  m.dispose();
});
