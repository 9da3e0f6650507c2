/**
 * Checkpoints in-process: a run stopped after any batch, written to bytes, read back into a fresh trainer and
 * continued ends bit-identical to a run that was never stopped; files that are foreign, corrupted or do not fit
 * the run are refused with ModelFileError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import type { Backend } from '../backend/backend.js';
import { float32Backends } from '../backend/test-backends.js';
import { loadDataset } from '../data/files.js';
import { prepareRun, resolveRunConfig, runSettings, runToEnd, type RunConfig } from '../experiments/run.js';
import type { EpochLogs } from '../train/callbacks.js';
import { ConfigError, ModelFileError } from '../errors.js';
import { decodeCheckpoint, diffSettings, encodeCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { decodeContainer, encodeContainer } from './container.js';
import { encodeModel } from './model-file.js';

const data = loadDataset();
// Dropout, momentum, shuffling and early stopping (with restored best weights): every piece of state matters.
const CONFIG: RunConfig = resolveRunConfig({
  trainSize: 120,
  valSize: 60,
  testSize: 100,
  hidden: [24],
  dropout: 0.3,
  epochs: 7,
  lr: 0.05,
  batchSize: 16, // 8 batches per epoch, the last one short
  momentum: 0.9,
  seed: 11,
  evalEvery: 2,
  earlyStopping: { patience: 2 },
});

const withoutSeconds = (h: readonly EpochLogs[]) => h.map(({ seconds: _s, ...rest }) => rest);
const modelBytes = (r: ReturnType<typeof runToEnd>) => encodeModel(r.model, { history: withoutSeconds(r.result.history) });

function uninterrupted(config: RunConfig, backend: Backend) {
  return runToEnd(prepareRun(data, config, backend));
}

/** Runs `batches` batches, checkpoints to bytes, continues in a fresh run from the bytes. */
function resumedAfter(batches: number, config: RunConfig, backend: Backend) {
  const first = prepareRun(data, config, backend);
  for (let i = 0; i < batches && first.trainer.runBatch(); i++);
  const bytes = encodeCheckpoint(first.trainer, runSettings(first));
  const second = prepareRun(data, config, backend);
  const ck = decodeCheckpoint(bytes);
  assert.deepEqual(diffSettings(ck.settings, runSettings(second)), []);
  restoreCheckpoint(second.trainer, ck);
  return { run: runToEnd(second), stoppedAt: first.trainer.epoch, progress: first.trainer.progress };
}

test('resuming after any batch ends bit-identical to the uninterrupted run (every backend, float32 and float64)', async () => {
  const backends = [...(await float32Backends()), { label: 'ref float64', backend: refBackend('float64') }];
  for (const { label, backend } of backends) {
    const ref = uninterrupted(CONFIG, backend);
    assert.equal(ref.result.stopReason, 'early-stopping', 'the run should stop early, so early stopping state matters');
    const total = ref.result.epochs * 8;
    const cuts = label === 'ref' ? [0, 1, 3, 8, 9, 15, 16, 21, total - 1, total, total + 5] : [5, 16, 27];
    for (const cut of cuts) {
      const { run } = resumedAfter(cut, CONFIG, backend);
      const why = `${label}, checkpoint after ${cut} batches`;
      assert.deepEqual(withoutSeconds(run.result.history), withoutSeconds(ref.result.history), why);
      assert.equal(run.result.stopReason, ref.result.stopReason, why);
      assert.deepEqual(run.model.getWeights(), ref.model.getWeights(), why);
      assert.deepEqual(modelBytes(run), modelBytes(ref), why);
      assert.equal(run.earlyStopping!.bestEpoch, ref.earlyStopping!.bestEpoch, why);
    }
  }
});

test('plain SGD (the step fused into the dense layers) resumes bit-identical too, on every backend', async () => {
  const config = { ...CONFIG, momentum: 0, epochs: 3, earlyStopping: null };
  for (const { label, backend } of await float32Backends()) {
    const ref = uninterrupted(config, backend);
    for (const cut of [4, 8, 13]) {
      const { run } = resumedAfter(cut, config, backend);
      assert.deepEqual(withoutSeconds(run.result.history), withoutSeconds(ref.result.history), `${label}, after ${cut} batches`);
      assert.deepEqual(run.model.getWeights(), ref.model.getWeights(), `${label}, after ${cut} batches`);
    }
  }
});

test('a checkpoint taken mid-epoch holds the epoch in progress; without shuffling too', () => {
  const config = { ...CONFIG, shuffle: false, earlyStopping: null, epochs: 3 };
  const ref = uninterrupted(config, refBackend('float32'));
  const { run, progress } = resumedAfter(11, config, refBackend('float32'));
  assert.equal(progress!.nextBatch, 3);
  assert.deepEqual(withoutSeconds(run.result.history), withoutSeconds(ref.result.history));
  assert.deepEqual(run.model.getWeights(), ref.model.getWeights());
});

test('weights that overflow on the last step of an epoch are divergence: the epoch is not recorded', () => {
  const r = prepareRun(data, { ...CONFIG, earlyStopping: null }, refBackend('float32'), [
    { onBatchEnd: (info, t) => t.epoch === 1 && info.batch === info.batches - 1 && (r.model.paramData[5] = Infinity) },
  ]);
  while (r.trainer.runBatch());
  assert.equal(r.trainer.stopReason, 'diverged');
  assert.match(r.trainer.stopMessage, /diverged at epoch 2 \(a weight is not a finite number\); the weights of epoch 1 were kept/);
  assert.equal(r.trainer.history.length, 1);
  assert.ok(r.model.getWeights().every(Number.isFinite));
});

test('the state is refused after divergence and after finish', () => {
  const r = prepareRun(data, { ...CONFIG, lr: 1e30, earlyStopping: null }, refBackend('float32'));
  while (r.trainer.runBatch());
  assert.equal(r.trainer.stopReason, 'diverged');
  assert.throws(() => r.trainer.getState(), /diverged/);
  const done = runToEnd(prepareRun(data, { ...CONFIG, epochs: 1 }, refBackend('float32')));
  assert.throws(() => done.trainer.getState(), /finished/);
});

/** A checkpoint taken mid-epoch, its header, and a way to re-encode an edited header with a valid checksum. */
function sample() {
  const run = prepareRun(data, CONFIG, refBackend('float32'));
  for (let i = 0; i < 19; i++) run.trainer.runBatch();
  const bytes = encodeCheckpoint(run.trainer, runSettings(run));
  const { header, payload } = decodeContainer(bytes, 'x', 'reglab-checkpoint');
  const edit = (f: (h: Record<string, any>) => void, p: Uint8Array = payload) => {
    const h = JSON.parse(JSON.stringify(header)) as Record<string, any>;
    f(h);
    delete h.payloadBytes;
    delete h.payloadCrc32;
    return encodeContainer(h as never, p);
  };
  return { run, bytes, header, payload, edit };
}

test('foreign, truncated, corrupted and tampered checkpoints are refused with ModelFileError', () => {
  const { bytes, edit, payload } = sample();
  const fresh = () => prepareRun(data, CONFIG, refBackend('float32')).trainer;
  const flip = (i: number) => Uint8Array.from(bytes, (b, j) => (j === i ? b ^ 1 : b));
  const model = encodeModel(prepareRun(data, CONFIG, refBackend('float32')).model);
  const badPayload = payload.slice();
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /too short/],
    ['a model file', model, /"reglab-model" file, not a reglab-checkpoint file/],
    ['truncated', bytes.subarray(0, bytes.length - 100), /truncated/],
    ['payload bit flip', flip(bytes.length - 7), /checksum/],
    ['future version', edit((h) => (h.version = 2)), /version 2 is not supported/],
    ['bad architecture', edit((h) => (h.spec.layers[0].units = -3)), /bad architecture/],
    ['section sizes', edit((h) => (h.sections[0].length += 1)), /sections|section sizes/],
    ['unknown tag', edit((h) => (h.state.weights = { $f16: 0 })), /unknown tag/],
    ['section used twice', edit((h) => (h.state.lastGoodWeights = h.state.weights)), /referenced wrongly|not referenced/],
    ['payload shorter than the sections', edit(() => {}, badPayload.subarray(8)), /section sizes do not add up/],
    ['payload longer than the sections', edit(() => {}, new Uint8Array([...badPayload, 0])), /sections hold \d+ bytes, the payload \d+/],
  ];
  for (const [name, b, re] of cases) {
    assert.throws(() => decodeCheckpoint(b), (e: Error) => e instanceof ModelFileError && re.test(e.message), name);
  }
  // Well-formed files whose state does not fit the run: refused when restored, the trainer untouched.
  const misfits: [string, Uint8Array, RegExp][] = [
    ['epoch past the end', edit((h) => (h.state.epoch = 99)), /epoch 99/],
    ['history too short', edit((h) => h.state.history.pop()), /history/],
    ['unknown history key', edit((h) => (h.state.history[0].extra = 1)), /unknown key extra/],
    ['batch out of range', edit((h) => (h.state.progress.nextBatch = 8)), /next batch 8/],
    ['seen disagrees', edit((h) => (h.state.progress.seen = 1)), /seen/],
    ['generator state', edit((h) => (h.state.rng.pos = 625)), /random generator/],
    ['callback state', edit((h) => (h.state.callbacks[0].wait = -1)), /early stopping state: wait/],
    ['momentum buffers swapped', edit((h) => h.state.optimizer.velocity.reverse()), /momentum buffer 0 does not fit/],
    ['ended with progress', edit((h) => (h.state.stopReason = 'completed')), /marked completed|ended/],
    ['different seed', edit((h) => (h.seed = 12)), /seed 12/],
    ['other backend', edit((h) => (h.backend = 'wasm')), /wasm backend/],
  ];
  for (const [name, b, re] of misfits) {
    const t = fresh();
    const before = t.model.getWeights();
    assert.throws(() => restoreCheckpoint(t, decodeCheckpoint(b)), (e: Error) => e instanceof ModelFileError && re.test(e.message), name);
    assert.deepEqual(t.model.getWeights(), before, `${name}: the trainer was changed`);
  }
});

test('an order that is not a permutation is refused (it would read out of bounds)', () => {
  const { edit, payload, header } = sample();
  const sections = header.sections as { kind: string; length: number }[];
  const i = sections.findIndex((s) => s.kind === 'i32');
  let off = 0;
  for (let k = 0; k < i; k++) off += sections[k]!.length * (sections[k]!.kind === 'f64' ? 8 : 4);
  for (const v of [-1, 120, 5]) {
    const p = payload.slice();
    new DataView(p.buffer).setInt32(off + 4, v, true); // order[1] = v (5 duplicates some other entry, or order[0])
    const t = prepareRun(data, CONFIG, refBackend('float32')).trainer;
    assert.throws(() => restoreCheckpoint(t, decodeCheckpoint(edit(() => {}, p))), /not a permutation/, `order[1] = ${v}`);
  }
});

test('settings that differ are named', () => {
  const a = runSettings(prepareRun(data, CONFIG, refBackend('float32')));
  const b = runSettings(prepareRun(data, { ...CONFIG, lr: 0.1, earlyStopping: { patience: 3 } }, refBackend('float32')));
  assert.deepEqual(diffSettings(a, b).sort(), ['run.earlyStopping.patience', 'run.lr']);
  const c = runSettings(prepareRun(data, { ...CONFIG, earlyStopping: { patience: 2, minDelta: 0 } }, refBackend('float32')));
  assert.deepEqual(diffSettings(a, c), [], 'explicit defaults are the same settings');
  const other = { ...data, train: { ...data.train, labels: data.train.labels.map((l) => (l + 1) % 10) } };
  assert.deepEqual(diffSettings(a, runSettings(prepareRun(other, CONFIG, refBackend('float32')))), ['data.train', 'data.validation']);
});

test('setState refuses a trainer that has started', () => {
  const { run } = sample();
  assert.throws(() => run.trainer.setState(run.trainer.getState()), ConfigError);
});

test('a float32 run stores its buffers as float32 (exactly), a float64 run as float64', () => {
  for (const [dtype, kinds] of [['float32', ['f32', 'i32']], ['float64', ['f64', 'i32']]] as const) {
    const run = prepareRun(data, CONFIG, refBackend(dtype));
    for (let i = 0; i < 12; i++) run.trainer.runBatch();
    const bytes = encodeCheckpoint(run.trainer, runSettings(run));
    const sections = decodeContainer(bytes, 'x', 'reglab-checkpoint').header.sections as { kind: string }[];
    assert.deepEqual([...new Set(sections.map((s) => s.kind))].sort(), [...kinds].sort(), dtype);
    const state = decodeCheckpoint(bytes).state as { weights: Float64Array; optimizer: { velocity: Float64Array[] } };
    assert.ok(state.weights instanceof Float64Array && state.optimizer.velocity[0] instanceof Float64Array, 'float64 in memory');
    assert.deepEqual(state.weights, run.model.getWeights());
  }
});

test('a checkpoint from before optimizers had names (its optimizer state only {velocity}) still resumes bit-identical', () => {
  const ref = uninterrupted(CONFIG, refBackend('float32'));
  const { edit, header } = sample(); // 19 batches in
  // Mid-epoch with momentum, the first layer's rows stepped lazily are behind: their step counts and stored values sit beside.
  assert.deepEqual(Object.keys((header.state as { optimizer: object }).optimizer).sort(), ['name', 'rowStep', 'step', 'stored', 'storedVelocity', 'velocity'], 'the state written today');
  const old = edit((h) => {
    delete h.state.optimizer.name;
    delete h.state.optimizer.step;
  });
  const second = prepareRun(data, CONFIG, refBackend('float32'));
  restoreCheckpoint(second.trainer, decodeCheckpoint(old));
  assert.equal(second.trainer.optimizer.getState().step, 19, 'one SGD step a batch');
  const run = runToEnd(second);
  assert.deepEqual(withoutSeconds(run.result.history), withoutSeconds(ref.result.history));
  assert.deepEqual(run.model.getWeights(), ref.model.getWeights());
});

test('an optimizer state that is not the run optimizer\'s is refused, the trainer untouched', () => {
  const { edit } = sample();
  for (const [what, f, re] of [
    ['another optimizer', (h: Record<string, any>) => (h.state.optimizer.name = 'adam'), /written by adam, this run uses sgd/],
    ['a bad step count', (h: Record<string, any>) => (h.state.optimizer.step = -2), /step count -2/],
    ['buffers that are not a list', (h: Record<string, any>) => (h.state.optimizer.extra = 3), /extra is not a list of buffers/],
    ['buffers it does not have', (h: Record<string, any>) => (h.state.optimizer.m = []), /unknown buffers m for sgd/],
  ] as const) {
    const t = prepareRun(data, CONFIG, refBackend('float32')).trainer;
    const before = t.model.getWeights();
    assert.throws(() => restoreCheckpoint(t, decodeCheckpoint(edit(f))), (e: Error) => e instanceof ModelFileError && re.test(e.message), what);
    assert.deepEqual(t.model.getWeights(), before, what);
    assert.equal(t.epoch, 0, what);
  }
});
