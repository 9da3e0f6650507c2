/** runChapter8Experiment's callbacks: one fresh set per training run (the ensemble trains one per seed). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refBackend } from '../backend/ref.js';
import { loadDataset } from '../data/files.js';
import type { Callback } from '../train/callbacks.js';
import { runChapter8Experiment, type Chapter8Experiment } from './chapter8.js';
import { resolveRunConfig } from './run.js';

test('each training run of an experiment gets callbacks of its own, called for every epoch', () => {
  const data = loadDataset();
  const exp: Chapter8Experiment = {
    name: 'tiny-ensemble',
    title: 'two small nets vote',
    config: resolveRunConfig({ trainSize: 200, testSize: 300, hidden: [10], epochs: 3, lr: 0.01, batchSize: 10, seed: 1 }),
    ensembleSeeds: [1, 2],
  };
  const made: Array<{ begins: number; epochs: number; ends: number }> = [];
  const factory = (): Callback[] => {
    const count = { begins: 0, epochs: 0, ends: 0 };
    made.push(count);
    return [{ onTrainBegin: () => void count.begins++, onEpochEnd: () => void count.epochs++, onTrainEnd: () => void count.ends++ }];
  };
  const r = runChapter8Experiment(data, exp, refBackend('float32'), factory);
  assert.deepEqual(made, [{ begins: 1, epochs: 3, ends: 1 }, { begins: 1, epochs: 3, ends: 1 }]);
  assert.equal(r.ensemble?.memberAcc.length, 2);
  assert.equal(r.finalTestAcc, r.ensemble?.acc);
  assert.equal(r.finalTestLoss, r.ensemble?.loss);
});
