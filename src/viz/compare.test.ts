import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRows, settingText, type CompareRun } from './compare.js';

const log = (epoch: number, trainAcc: number, testAcc?: number, testLoss?: number) => ({ epoch, trainLoss: 1 / epoch, trainAcc, ...(testAcc === undefined ? {} : { testAcc, testLoss }) });

const base: CompareRun = { name: 'overfit', config: { trainSize: 1000, hidden: [100], dropout: 0, earlyStopping: null }, history: [log(1, 0.5, 0.6, 1.2), log(2, 0.8, 0.7, 0.9), log(3, 0.99, 0.65, 1.1)] };

test('the first run: no changes; best and final from its logs', () => {
  const [row] = compareRows([base]);
  assert.deepEqual(row, {
    name: 'overfit', changed: [], bestTestAcc: 0.7, bestTestEpoch: 2, finalEpoch: 3, finalTestAcc: 0.65, finalTrainAcc: 0.99, trainAccInEvalMode: false, gap: 0.99 - 0.65, testLoss: 1.1,
  });
});

test('later runs: the settings that differ, early stopping keeps its epoch, a measured final wins', () => {
  const es: CompareRun = { name: 'es', config: { ...base.config, earlyStopping: { monitor: 'valLoss', patience: 5 }, valSize: 1000 }, history: base.history, earlyStoppingEpoch: 2 };
  const dropout: CompareRun = { name: 'dropout', config: { ...base.config, dropout: 0.5, hidden: [100] }, history: base.history, final: { testAcc: 0.66, testLoss: 1.05, trainAcc: 0.97 } };
  const [, a, b] = compareRows([base, es, dropout]);
  assert.deepEqual(a!.changed, [{ key: 'earlyStopping', value: 'monitor=valLoss patience=5', first: 'none' }, { key: 'valSize', value: '1000', first: '–' }]);
  assert.equal(a!.finalEpoch, 2);
  assert.equal(a!.finalTestAcc, 0.7);
  assert.equal(a!.finalTrainAcc, 0.8);
  assert.equal(a!.testLoss, 0.9);
  assert.deepEqual(b!.changed, [{ key: 'dropout', value: '0.5', first: '0' }]);
  assert.equal(b!.finalTestAcc, 0.66);
  assert.equal(b!.finalTrainAcc, 0.97);
  assert.equal(b!.trainAccInEvalMode, true);
  assert.equal(b!.gap, 0.97 - 0.66);
  assert.equal(b!.testLoss, 1.05);
});

test('a run without test passes or logs has no numbers, not zeros', () => {
  const [row] = compareRows([{ name: 'x', config: {}, history: [] }]);
  assert.equal(row!.bestTestAcc, null);
  assert.equal(row!.finalTestAcc, null);
  assert.equal(row!.gap, null);
});

test('setting text', () => {
  assert.equal(settingText([100, 50]), '100,50');
  assert.equal(settingText(true), 'on');
  assert.equal(settingText(null), 'none');
});
