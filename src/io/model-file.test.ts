import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import { float32Backends } from '../backend/test-backends.js';
import { loadDataset } from '../data/files.js';
import { sliceSet } from '../data/dataset.js';
import { Model, mlpSpec } from '../nn/model.js';
import { fit } from '../train/trainer.js';
import { evaluate } from '../train/evaluate.js';
import { decodeModel, encodeModel } from './model-file.js';
import { ModelFileError } from '../errors.js';

const data = loadDataset();
const test500 = sliceSet(data.test, 0, 500);

function trained(dtype: 'float32' | 'float64') {
  const model = new Model(mlpSpec({ inputSize: 784, hidden: [16, 8], classes: 10, dropout: 0.2 }), { backend: refBackend(dtype), seed: 4 });
  const r = fit(model, sliceSet(data.train, 0, 100), { epochs: 2, batchSize: 10, lr: 0.1 });
  return { model, bytes: encodeModel(model, { history: r.history, training: { lr: 0.1 } }) };
}

test('a loaded model evaluates exactly as the saved one (float32 and float64)', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const { model, bytes } = trained(dtype);
    const { model: loaded, header } = decodeModel(bytes, refBackend(dtype));
    assert.deepEqual(loaded.getWeights(), model.getWeights());
    assert.deepEqual(evaluate(loaded, test500), evaluate(model, test500));
    assert.equal(header.meta.history?.length, 2);
    assert.deepEqual(loaded.spec, model.spec);
  }
});

test('foreign, truncated and corrupted files are refused with ModelFileError', () => {
  const { bytes } = trained('float32');
  const flip = (i: number) => Uint8Array.from(bytes, (b, j) => (j === i ? b ^ 0x40 : b));
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['foreign', new TextEncoder().encode('{"format":"reglab-model"} not really')],
    ['bad magic', flip(0)],
    ['future version', flip(8)],
    ['truncated payload', bytes.subarray(0, bytes.length - 3)],
    ['truncated header', bytes.subarray(0, 40)],
    ['trailing bytes', new Uint8Array([...bytes, 1])],
    ['payload bit flip', flip(bytes.length - 10)],
    ['header bit flip', flip(30)],
  ];
  for (const [name, b] of cases) assert.throws(() => decodeModel(b, refBackend('float32')), ModelFileError, name);
  assert.throws(() => decodeModel(bytes, refBackend('float64')), /float32 weights/);
});

test('float32 models move between backends: trained on one, loaded on each, evaluated exactly as there', async () => {
  for (const { label, backend } of await float32Backends()) {
    const model = new Model(mlpSpec({ inputSize: 784, hidden: [16], classes: 10, dropout: 0.2 }), { backend, seed: 4 });
    fit(model, sliceSet(data.train, 0, 100), { epochs: 2, batchSize: 10, lr: 0.1 });
    const bytes = encodeModel(model, { training: { lr: 0.1 } });
    for (const other of await float32Backends()) {
      const { model: loaded } = decodeModel(bytes, other.backend);
      assert.deepEqual(loaded.getWeights(), model.getWeights(), `${label} -> ${other.label}`);
      if (other.backend === backend) assert.deepEqual(evaluate(loaded, test500), evaluate(model, test500), label);
    }
  }
});
