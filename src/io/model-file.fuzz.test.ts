/**
 * Fuzzing the model and checkpoint loaders on a real trained model and a real mid-epoch checkpoint: byte
 * mutations, hostile edits of the JSON header (re-encoded with valid lengths and checksum, so they get past
 * the container), and payloads with a valid checksum but strange numbers. Every case either loads into
 * something that works or fails with ModelFileError; none throws anything else, hangs (the test's timeout),
 * or makes the backend allocate more than the file holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { refBackend } from '../backend/ref.js';
import type { Backend, DType } from '../backend/backend.js';
import { loadDataset } from '../data/files.js';
import { sliceSet } from '../data/dataset.js';
import { prepareRun, resolveRunConfig, runSettings } from '../experiments/run.js';
import { Model, mlpSpec } from '../nn/model.js';
import { fit } from '../train/trainer.js';
import { ModelFileError } from '../errors.js';
import { fuzzOptions, editJson, jsonEdits, mutate, mutations } from '../testing/fuzz.js';
import { decodeContainer, encodeContainer } from './container.js';
import { decodeModel, encodeModel, peekModelDtype } from './model-file.js';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from './checkpoint.js';

const data = loadDataset();

const trained = new Model(mlpSpec({ inputSize: 784, hidden: [12], classes: 10, dropout: 0.2 }), { backend: refBackend('float32'), seed: 3 });
const history = fit(trained, sliceSet(data.train, 0, 100), { epochs: 2, batchSize: 10, lr: 0.1 }).history;
const modelFile = encodeModel(trained, { history, training: { lr: 0.1 } });
const modelParts = decodeContainer(modelFile, 'x', 'reglab-model');

/** A backend that counts the bytes it allocates. */
function countingBackend(dtype: DType = 'float32'): Backend & { allocated: number } {
  const base = refBackend(dtype);
  const b = { ...base, allocated: 0 };
  b.alloc = (n: number) => {
    b.allocated += n * (base.dtype === 'float64' ? 8 : 4);
    return base.alloc(n);
  };
  return b;
}

function rebuild(header: Record<string, unknown>, payload: Uint8Array): Uint8Array {
  const h = { ...header };
  delete h.payloadBytes;
  delete h.payloadCrc32;
  return encodeContainer(h as never, payload);
}

/** Loads a model file; passes if it loads into a working model or fails with ModelFileError. */
function checkModelFile(bytes: Uint8Array): void {
  let backend = countingBackend();
  let model: Model;
  try {
    // As reglab eval does: the backend of the file's dtype.
    backend = countingBackend(peekModelDtype(bytes, 'fuzz'));
    model = decodeModel(bytes, backend, 'fuzz').model;
  } catch (e) {
    if (e instanceof ModelFileError) return;
    throw e;
  }
  // Parameters and their gradients: never more than twice what the file holds.
  assert.ok(backend.allocated <= 2 * bytes.length, `allocated ${backend.allocated} bytes for a file of ${bytes.length}`);
  assert.ok(model.getWeights().every(Number.isFinite));
  const x = model.inputBuffer(2);
  x.fill(0.5);
  const p = model.predict(x, 2);
  assert.equal(p.length, 2 * model.outputSize);
}

test('fuzz: byte mutations of a real model file (1,500 cases)', { timeout: 120_000 }, () => {
  fc.assert(fc.property(mutations, (ms) => checkModelFile(mutate(modelFile, ms))), fuzzOptions(1500));
});

test('fuzz: hostile model headers with valid lengths and checksum (2,500 cases)', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(jsonEdits, (edits) => checkModelFile(rebuild(editJson(modelParts.header as Record<string, unknown>, edits), modelParts.payload))),
    fuzzOptions(2500),
  );
});

test('fuzz: model payloads with a valid checksum but any bytes (500 cases)', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(mutations, (ms) => checkModelFile(rebuild(modelParts.header as Record<string, unknown>, mutate(modelParts.payload, ms)))),
    fuzzOptions(500),
  );
});

// A checkpoint mid-epoch, with momentum, dropout, shuffling and early stopping state.
const CONFIG = resolveRunConfig({ trainSize: 60, valSize: 30, testSize: 30, hidden: [4], dropout: 0.3, epochs: 4, lr: 0.05, batchSize: 8, momentum: 0.9, seed: 5, earlyStopping: { patience: 2 } });
const first = prepareRun(data, CONFIG, refBackend('float32'));
for (let i = 0; i < 11; i++) first.trainer.runBatch();
const checkpointFile = encodeCheckpoint(first.trainer, runSettings(first));
const checkpointParts = decodeContainer(checkpointFile, 'x', 'reglab-checkpoint');

/** Loads a checkpoint into a fresh run; passes if it fails with ModelFileError or the run then trains on. */
function checkCheckpoint(bytes: Uint8Array): void {
  const run = prepareRun(data, CONFIG, refBackend('float32'));
  try {
    restoreCheckpoint(run.trainer, decodeCheckpoint(bytes, 'fuzz'), 'fuzz');
  } catch (e) {
    if (e instanceof ModelFileError) return;
    throw e;
  }
  for (let i = 0; i < 3 && run.trainer.runBatch(); i++);
  assert.ok(run.trainer.history.every((l, i) => l.epoch === i + 1));
}

test('fuzz: byte mutations of a real checkpoint (800 cases)', { timeout: 120_000 }, () => {
  fc.assert(fc.property(mutations, (ms) => checkCheckpoint(mutate(checkpointFile, ms))), fuzzOptions(800));
});

test('fuzz: hostile checkpoint headers with valid lengths and checksum (1,500 cases)', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(jsonEdits, (edits) => checkCheckpoint(rebuild(editJson(checkpointParts.header as Record<string, unknown>, edits), checkpointParts.payload))),
    fuzzOptions(1500),
  );
});

test('fuzz: checkpoint payloads with a valid checksum but any bytes (500 cases)', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(mutations, (ms) => checkCheckpoint(rebuild(checkpointParts.header as Record<string, unknown>, mutate(checkpointParts.payload, ms)))),
    fuzzOptions(500),
  );
});

test('the unmutated files load (the fuzz starts from working files)', () => {
  checkModelFile(modelFile);
  assert.deepEqual(decodeModel(modelFile, refBackend('float32')).model.getWeights(), trained.getWeights());
  const run = prepareRun(data, CONFIG, refBackend('float32'));
  restoreCheckpoint(run.trainer, decodeCheckpoint(checkpointFile));
  assert.equal(run.trainer.progress?.nextBatch, 3);
});

test('a header claiming a model of 2^40 weights is refused before allocating', () => {
  const h = JSON.parse(JSON.stringify(modelParts.header)) as { spec: { inputSize: number; layers: { units?: number }[] } };
  h.spec.inputSize = 1 << 24;
  h.spec.layers[0]!.units = 1 << 16;
  const backend = countingBackend();
  assert.throws(() => decodeModel(rebuild(h as never, modelParts.payload), backend), /needs \d+ parameters/);
  assert.equal(backend.allocated, 0);
});
