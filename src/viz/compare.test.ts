import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRows } from './compare.js';

const h = (epoch: number, trainAcc: number, testAcc?: number, testLoss?: number) => ({ epoch, trainLoss: 1 / epoch, trainAcc, ...(testAcc === undefined ? {} : { testAcc, testLoss }) });

test('compareRows: differing settings, best and final numbers, on literal runs', () => {
  const rows = compareRows([
    { name: 'plain', settings: { 'train-size': 1000, dropout: 0, epochs: 3 }, history: [h(1, 0.8, 0.7, 0.9), h(2, 0.95, 0.82, 0.6), h(3, 1, 0.8, 0.7)] },
    { name: 'dropout', settings: { 'train-size': 1000, dropout: 0.5, epochs: 4 }, history: [h(1, 0.6, 0.65, 1.1), h(2, 0.7), h(3, 0.8, 0.84, 0.5), h(4, 0.9)] },
    { name: 'untested', settings: { 'train-size': 1000, dropout: 0, epochs: 3, seed: 2 }, history: [h(1, 0.5)] },
  ]);
  assert.deepEqual(rows[0], { name: 'plain', differs: [], bestTestEpoch: 2, bestTestAcc: 0.82, finalTestAcc: 0.8, testLoss: 0.7, finalTrainAcc: 1, gap: 1 - 0.8 });
  assert.deepEqual(rows[1], {
    name: 'dropout',
    differs: [{ key: 'dropout', value: 0.5 }, { key: 'epochs', value: 4 }],
    bestTestEpoch: 3,
    bestTestAcc: 0.84,
    finalTestAcc: 0.84,
    testLoss: 0.5,
    finalTrainAcc: 0.9,
    gap: 0.9 - 0.84,
  });
  assert.deepEqual(rows[2], { name: 'untested', differs: [{ key: 'seed', value: 2 }], finalTrainAcc: 0.5 });
  assert.deepEqual(compareRows([]), []);
});

test('compareRows: a tie for best test accuracy keeps the first epoch', () => {
  const [row] = compareRows([{ name: 'a', settings: {}, history: [h(1, 0.5, 0.9, 0.3), h(2, 0.6, 0.9, 0.2)] }]);
  assert.equal(row!.bestTestEpoch, 1);
});
