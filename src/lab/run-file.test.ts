import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mlpSpec } from '../nn/model.js';
import { LAB_DEFAULTS } from './config.js';
import { RunsFileError, decodeRuns, encodeRuns, type SavedRun } from './run-file.js';

const spec = mlpSpec({ inputSize: 4, hidden: [3], classes: 2 });
const run: SavedRun = {
  name: 'small <b>run</b>',
  config: { ...LAB_DEFAULTS, dropout: 0.5 },
  history: [
    { epoch: 1, trainLoss: 0.5, trainAcc: 0.8, testLoss: 0.6, testAcc: 0.75, seconds: 0.1 },
    { epoch: 2, trainLoss: 0.3, trainAcc: 0.9, seconds: 0.1 },
  ],
  earlyStoppingEpoch: 1,
  stopReason: 'early-stopping',
  spec,
  weights: Float32Array.from({ length: 4 * 3 + 3 + 3 * 2 + 2 }, (_, i) => i / 7 - 1),
};

test('runs round-trip through their JSON, weights bit for bit', () => {
  const back = decodeRuns(encodeRuns([run, { ...run, name: 'no weights', spec: undefined, weights: undefined } as SavedRun]));
  assert.deepEqual(back[0], run);
  assert.equal(back[1]!.weights, undefined);
});

test('a bad file gets one line naming its problem', () => {
  const good = JSON.parse(encodeRuns([run]));
  const edit = (f: (d: any) => void) => {
    const d = structuredClone(good);
    f(d);
    return JSON.stringify(d);
  };
  const bad: [string, RegExp][] = [
    ['{', /not JSON/],
    ['[]', /format should be/],
    [edit((d) => (d.version = 9)), /version 9 is not supported/],
    [edit((d) => (d.runs = {})), /must be a list/],
    [edit((d) => (d.runs = new Array(51).fill(d.runs[0]))), /51 runs, at most 50/],
    [edit((d) => (d.runs[0].name = '')), /run 1: name must be text/],
    [edit((d) => (d.runs[0].config.lr = 'fast')), /run 1: Learning rate: must be a number, got 'fast'/],
    [edit((d) => (d.runs[0].history[1].epoch = 5)), /epoch 2 is numbered 5/],
    [edit((d) => (d.runs[0].history[0].testAcc = 3)), /testAcc 3 is not a valid value/],
    [edit((d) => (d.runs[0].history[0].trainAcc = '<script>')), /trainAcc "<script>" is not a valid value/],
    [edit((d) => (d.runs[0].earlyStoppingEpoch = 9)), /earlyStoppingEpoch must be an epoch/],
    [edit((d) => (d.runs[0].spec.layers = [{ type: 'conv' }])), /unknown layer type/],
    [edit((d) => (d.runs[0].spec.layers[0].units = 1 << 24)), /more than 4000000 parameters/],
    [edit((d) => (d.runs[0].weights = d.runs[0].weights.slice(4))), /different number/],
    [edit((d) => (d.runs[0].weights = '!'.repeat(d.runs[0].weights.length))), /not valid base64/],
  ];
  for (const [text, msg] of bad) {
    assert.throws(() => decodeRuns(text), (e: unknown) => e instanceof RunsFileError && msg.test(e.message) && !e.message.includes('\n'), `${msg}`);
  }
});
