import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import { loadDataset } from '../data/files.js';
import { runExperiment, resolveRunConfig } from '../experiments/run.js';
import { MemoryRungStore } from './asha.js';
import { bestEpochOf, runTrial } from './trial.js';
import type { TrialSpec } from './types.js';

const data = loadDataset();
const backend = refBackend();
const SHARED = { trainSize: 300, valSize: 200, testSize: 200, hidden: [16], epochs: 3, batchSize: 20 };

function spec(over: Partial<TrialSpec> & { settings?: Record<string, unknown> } = {}): TrialSpec {
  return { sweepId: 'sx', trial: 0, params: { lr: 0.1 }, seed: 5, metric: 'valAcc', scheduler: { kind: 'random' }, ...over, settings: { ...SHARED, lr: 0.1, seed: 5, ...over.settings } } as TrialSpec;
}
const ctx = (rungs = new MemoryRungStore()) => ({ data, backend, rungs, worker: 'test' });

test('a trial trains its settings exactly as the run they describe, and reports the best epoch of its metric', async () => {
  const epochs: number[] = [];
  const r = await runTrial(spec(), { ...ctx(), onEpoch: (l) => epochs.push(l.epoch) });
  assert.equal(r.status, 'completed');
  assert.deepEqual(epochs, [1, 2, 3]);
  const alone = runExperiment(data, resolveRunConfig({ ...SHARED, lr: 0.1, seed: 5 }), backend);
  const strip = (h: { seconds: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);
  assert.deepEqual(strip(r.history), strip(alone.result.history));
  const best = bestEpochOf(r.history, 'valAcc')!;
  assert.equal(r.bestEpoch, best.epoch);
  assert.equal(r.value, best.valAcc);
  assert.deepEqual(r.metrics, strip([best])[0]);
  assert.equal(r.command, 'reglab train --train-size 300 --val-size 200 --test-size 200 --hidden 16 --epochs 3 --lr 0.1 --batch-size 20 --seed 5 --backend ref');
});

test('bestEpochOf: highest accuracy, lowest loss, the first of equals, null without the metric', () => {
  const h = [
    { epoch: 1, trainLoss: 1, trainAcc: 0.5, valLoss: 0.9, valAcc: 0.6, seconds: 0 },
    { epoch: 2, trainLoss: 1, trainAcc: 0.5, valLoss: 0.7, valAcc: 0.8, seconds: 0 },
    { epoch: 3, trainLoss: 1, trainAcc: 0.5, valLoss: 0.8, valAcc: 0.8, seconds: 0 },
  ];
  assert.equal(bestEpochOf(h, 'valAcc')!.epoch, 2);
  assert.equal(bestEpochOf(h, 'valLoss')!.epoch, 2);
  assert.equal(bestEpochOf(h, 'testAcc'), null);
});

test('bad settings fail the trial with the reason, never throw', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ bogus: 1 }, /^bogus is not a run setting/],
    [{ lr: 'fast' }, /^lr must be a number/],
    [{ lr: -1 }, /^lr must be in \[0, 1000000\], got -1/],
    [{ lr: 0 }, /^lr must be greater than 0/],
    [{ dropout: 1 }, /^dropout must be in \[0, 1\)/],
    [{ batchSize: 2.5 }, /^batchSize must be an integer/],
    [{ hidden: 'x' }, /^hidden must be a comma-separated list/],
    [{ trainSize: 59_990, valSize: 100 }, /exceeds the 60000 training images/],
    [{ batchSize: 1000 }, /batchSize 1000 is larger than the training set/],
    [{ earlyStopping: { monitor: 'valAcc', patience: 'x' } }, /patience must be an integer/],
  ];
  for (const [settings, re] of cases) {
    const r = await runTrial(spec({ settings }), ctx());
    assert.equal(r.status, 'failed', JSON.stringify(settings));
    assert.match(r.error!, re);
    assert.equal(r.value, null);
  }
  const r = await runTrial({ ...spec(), settings: null as unknown as TrialSpec['settings'] }, ctx());
  assert.match(r.error!, /a run config must be an object of settings, got null/);
  const noVal = await runTrial(spec({ settings: { valSize: 0 } }), ctx());
  assert.equal(noVal.status, 'failed');
  assert.match(noVal.error!, /the ranking metric valAcc needs validation data/);
});

test('ASHA: a trial beaten at its rung stops there, pruned; one that leads goes on', async () => {
  const asha = { kind: 'asha' as const, eta: 3, minEpochs: 1, maxEpochs: 3 };
  const rungs = new MemoryRungStore();
  // Two earlier trials that did better at epoch 1 than any 300-image net can: the third arrival is beaten.
  rungs.recordNow('sx', 1, 10, 0.99);
  rungs.recordNow('sx', 1, 11, 0.98);
  const pruned = await runTrial(spec({ trial: 2, scheduler: asha }), ctx(rungs));
  assert.equal(pruned.status, 'pruned');
  assert.equal(pruned.epochs, 1);
  assert.equal(pruned.history.length, 1);
  const fresh = await runTrial(spec({ trial: 0, scheduler: asha }), ctx());
  assert.equal(fresh.status, 'completed');
  assert.equal(fresh.epochs, 3);
  // Lower is better for a loss: the same pruning with valLoss ranked.
  const lossRungs = new MemoryRungStore();
  lossRungs.recordNow('sx', 1, 10, 0.01);
  lossRungs.recordNow('sx', 1, 11, 0.02);
  assert.equal((await runTrial(spec({ trial: 2, scheduler: asha, metric: 'valLoss' }), ctx(lossRungs))).status, 'pruned');
});

test('a run that diverges is pruned, with the reason', async () => {
  const r = await runTrial(spec({ settings: { lr: 1e5, loss: 'mse' } }), ctx());
  assert.equal(r.status, 'pruned');
  assert.match(r.error!, /diverged at epoch 1/);
  assert.equal(r.epochs, 0);
  assert.equal(r.value, null);
});
