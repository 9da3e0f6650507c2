/** Early stopping as a state machine fed literal logs (no training). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeState, decodeState } from '../io/state-codec.js';
import { EarlyStopping } from './early-stopping.js';
import type { EpochLogs, StopReason, TrainingContext } from './callbacks.js';
import { ConfigError } from '../errors.js';

/** A stand-in trainer (a TrainingContext, no cast): weights are the epoch number, so a restore is visible. */
function fakeTrainer() {
  const t = {
    weights: new Float64Array([0]),
    stops: [] as StopReason[],
    hasValidation: true,
    hasTest: false,
    config: { epochs: 100, batchSize: 1, shuffle: true, evalEvery: 1 },
    epoch: 0,
    history: [] as EpochLogs[],
    batchesPerEpoch: 1,
    progress: null,
    model: {
      getWeights: () => Float64Array.from(t.weights),
      setWeights: (w: ArrayLike<number>) => t.weights.set(w),
    },
    stop: (reason: StopReason) => {
      t.stops.push(reason);
    },
  };
  return t satisfies TrainingContext;
}

function feed(es: EarlyStopping, values: number[], key: keyof EpochLogs = 'valLoss') {
  const t = fakeTrainer();
  const trainer: TrainingContext = t;
  es.onTrainBegin(trainer);
  for (let i = 0; i < values.length && t.stops.length === 0; i++) {
    t.weights[0] = i + 1; // the model after epoch i + 1
    es.onEpochEnd({ epoch: i + 1, trainLoss: 1, trainAcc: 0.5, [key]: values[i], seconds: 0 } as EpochLogs, trainer);
  }
  es.onTrainEnd(trainer);
  return t;
}

test('stops after patience epochs without improvement and restores the best epoch', () => {
  const es = new EarlyStopping({ patience: 2 });
  const t = feed(es, [1.0, 0.8, 0.7, 0.75, 0.72, 0.6, 0.5]);
  assert.deepEqual(t.stops, ['early-stopping']);
  assert.equal(es.bestEpoch, 3);
  assert.equal(es.best, 0.7);
  assert.equal(es.stoppedEpoch, 5);
  assert.equal(t.weights[0], 3, 'weights of epoch 3 restored');
  assert.equal(es.restored, true);
});

test('minDelta: improvements smaller than it do not count', () => {
  const es = new EarlyStopping({ patience: 1, minDelta: 0.05 });
  const t = feed(es, [1.0, 0.97, 0.96, 0.5]);
  assert.equal(es.bestEpoch, 1);
  assert.equal(es.stoppedEpoch, 2);
  assert.equal(t.weights[0], 1);
});

test('accuracy is maximised in auto mode; mode max/min can be forced', () => {
  const es = new EarlyStopping({ monitor: 'valAcc', patience: 1 });
  feed(es, [0.5, 0.7, 0.6, 0.9], 'valAcc');
  assert.equal(es.bestEpoch, 2);
  assert.equal(es.stoppedEpoch, 3);
  const forced = new EarlyStopping({ monitor: 'valLoss', mode: 'max', patience: 1 });
  feed(forced, [0.5, 0.7, 0.6]);
  assert.equal(forced.bestEpoch, 2);
});

test('restores the best weights even when the epoch budget ends training', () => {
  const es = new EarlyStopping({ patience: 10 });
  const t = feed(es, [0.9, 0.4, 0.6, 0.7]);
  assert.deepEqual(t.stops, []);
  assert.equal(t.weights[0], 2);
});

test('restoreBestWeights false leaves the last weights', () => {
  const es = new EarlyStopping({ patience: 10, restoreBestWeights: false });
  const t = feed(es, [0.9, 0.4, 0.6]);
  assert.equal(t.weights[0], 3);
  assert.equal(es.restored, false);
});

test('startFromEpoch ignores the warm-up epochs', () => {
  const es = new EarlyStopping({ patience: 1, startFromEpoch: 3 });
  feed(es, [0.1, 0.2, 0.9, 0.8, 0.85, 0.95]);
  assert.equal(es.bestEpoch, 4);
  assert.equal(es.stoppedEpoch, 5);
});

test('patience 0 stops at the first epoch without improvement', () => {
  const es = new EarlyStopping({ patience: 0 });
  feed(es, [0.9, 0.8, 0.85]);
  assert.equal(es.stoppedEpoch, 3);
});

test('state round-trips through getState/setState (for checkpoints)', () => {
  const a = new EarlyStopping({ patience: 3 });
  const t = fakeTrainer();
  a.onTrainBegin(t);
  for (const [i, v] of [0.9, 0.5, 0.6].entries()) {
    t.weights[0] = i + 1;
    a.onEpochEnd({ epoch: i + 1, trainLoss: 1, trainAcc: 0, valLoss: v, seconds: 0 }, t);
  }
  // Through the codec checkpoints use (JSON plus binary sections for the best weights).
  const { json, sections, payload } = encodeState(a.getState());
  const b = new EarlyStopping({ patience: 3 });
  b.setState(decodeState(JSON.parse(JSON.stringify(json)), JSON.parse(JSON.stringify(sections)), payload, 'test'));
  assert.deepEqual(b.getState(), a.getState());
  assert.equal(b.getState().bestWeights![0], 2, 'the best epoch (2) weights');
  assert.throws(() => new EarlyStopping({ patience: 3 }).setState({ ...a.getState(), wait: -1 }), ConfigError);
  assert.throws(() => new EarlyStopping({ patience: 3 }).setState({ ...a.getState(), bestWeights: [1, 2] }), ConfigError);
});

test('bad settings and a missing validation set are refused', () => {
  assert.throws(() => new EarlyStopping({ patience: -1 }), ConfigError);
  assert.throws(() => new EarlyStopping({ minDelta: -0.1 }), ConfigError);
  assert.throws(() => new EarlyStopping({ monitor: 'nope' as never }), ConfigError);
  const es = new EarlyStopping();
  const t = { ...fakeTrainer(), hasValidation: false };
  assert.throws(() => es.onTrainBegin(t), ConfigError);
});
