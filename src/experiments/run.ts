/**
 * One training run described as plain data (what `reglab train` flags, the chapter's experiments and the web
 * lab all produce), and the function that carries it out on a dataset. No I/O: works in Node and the browser.
 */
import type { Backend } from '../backend/backend.js';
import { sliceSet, pixelsOf, type Dataset, type ImageSet } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import type { LossName } from '../nn/losses.js';
import { Model, mlpSpec, type ModelSpec } from '../nn/model.js';
import type { DenseInit } from '../nn/layer.js';
import type { Callback } from '../train/callbacks.js';
import { EarlyStopping, type EarlyStoppingConfig } from '../train/early-stopping.js';
import { Trainer, type FitResult } from '../train/trainer.js';
import { crc32 } from '../io/crc32.js';

export interface RunConfig {
  /** Training images: the first trainSize of the training file. Default 1000 (the chapter's). */
  trainSize: number;
  /** Validation images: the valSize training images right after the first trainSize. Default 0 (none). */
  valSize: number;
  /** Test images: the first testSize of the test file; 0 for no test pass. Default 10000. */
  testSize: number;
  /** Hidden layer widths. Default [100]. */
  hidden: number[];
  activation: 'relu' | 'sigmoid' | 'tanh';
  /** Dropout rate after each hidden layer, in [0, 1). Default 0. */
  dropout: number;
  loss: LossName;
  init: DenseInit;
  bias: boolean;
  epochs: number;
  lr: number;
  batchSize: number;
  momentum: number;
  l2: number;
  /** Reshuffle each epoch (default true; false keeps the file order, as the book). */
  shuffle: boolean;
  /** Test pass every N epochs (and on the first and last). Default 1. */
  evalEvery: number;
  seed: number;
  /** Early stopping settings, or null for none. */
  earlyStopping: EarlyStoppingConfig | null;
}

export const RUN_DEFAULTS: Readonly<RunConfig> = Object.freeze({
  trainSize: 1000,
  valSize: 0,
  testSize: 10000,
  hidden: [100],
  activation: 'relu',
  dropout: 0,
  loss: 'ce',
  init: 'uniform',
  bias: true,
  epochs: 40,
  lr: 0.005,
  batchSize: 1,
  momentum: 0,
  l2: 0,
  shuffle: true,
  evalEvery: 1,
  seed: 1,
  earlyStopping: null,
});

export function resolveRunConfig(partial: Partial<RunConfig>): RunConfig {
  const c = { ...RUN_DEFAULTS } as RunConfig;
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  return c;
}

export interface Splits {
  train: ImageSet;
  validation?: ImageSet;
  test?: ImageSet;
}

/** The deterministic, disjoint splits a config asks for. */
export function splitData(data: Dataset, c: RunConfig): Splits {
  if (c.trainSize + c.valSize > data.train.count) {
    throw new ConfigError(`--train-size ${c.trainSize} plus --val-size ${c.valSize} exceeds the ${data.train.count} training images`);
  }
  if (c.testSize > data.test.count) throw new ConfigError(`--test-size ${c.testSize} exceeds the ${data.test.count} test images`);
  return {
    train: sliceSet(data.train, 0, c.trainSize, 'training set'),
    ...(c.valSize > 0 ? { validation: sliceSet(data.train, c.trainSize, c.valSize, 'validation set') } : {}),
    ...(c.testSize > 0 ? { test: sliceSet(data.test, 0, c.testSize, 'test set') } : {}),
  };
}

export function modelSpecFor(c: RunConfig, data: Dataset): ModelSpec {
  return mlpSpec({
    inputSize: pixelsOf(data.train),
    hidden: c.hidden,
    classes: data.numClasses,
    dropout: c.dropout,
    loss: c.loss,
    init: c.init,
    bias: c.bias,
    activation: c.activation,
  });
}

export interface PreparedRun {
  config: RunConfig;
  model: Model;
  trainer: Trainer;
  splits: Splits;
  earlyStopping: EarlyStopping | null;
}

/** Builds the model and the trainer for a run (nothing trained yet: call trainer.runBatch() or runToEnd()). */
export function prepareRun(data: Dataset, config: RunConfig, backend: Backend, callbacks: Callback[] = []): PreparedRun {
  const splits = splitData(data, config);
  const model = new Model(modelSpecFor(config, data), { backend, seed: config.seed });
  const earlyStopping = config.earlyStopping ? new EarlyStopping(config.earlyStopping) : null;
  const trainer = new Trainer(model, splits.train, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    shuffle: config.shuffle,
    lr: config.lr,
    momentum: config.momentum,
    l2: config.l2,
    evalEvery: config.evalEvery,
    ...(splits.validation ? { validation: splits.validation } : {}),
    ...(splits.test ? { test: splits.test } : {}),
    callbacks: [...(earlyStopping ? [earlyStopping] : []), ...callbacks],
  });
  return { config, model, trainer, splits, earlyStopping };
}

/**
 * What a checkpoint records of a run so that resuming it with other settings can be refused: the resolved
 * config (early stopping with its defaults filled in), the backend's arithmetic, and a fingerprint (CRC-32s) of the images and labels the
 * run uses, so a changed data folder is caught too.
 */
export function runSettings(run: PreparedRun): Record<string, unknown> {
  const { train, validation, test } = run.splits;
  const print = (set: ImageSet | undefined) => (set ? [set.count, set.height, set.width, crc32(set.images), crc32(set.labels)] : null);
  return {
    run: { ...run.config, earlyStopping: run.earlyStopping ? { ...run.earlyStopping.config } : null },
    backend: { name: run.model.backend.name, dtype: run.model.backend.dtype },
    data: { train: print(train), validation: print(validation), test: print(test) },
  };
}

export interface RunResult extends PreparedRun {
  result: FitResult;
}

/**
 * Gives back the buffers of a run's model and optimizer (Model.dispose, Optimizer.dispose), e.g. before the next run on
 * the same backend: the run can no longer be used.
 */
export function disposeRun(run: PreparedRun): void {
  run.trainer.optimizer.dispose();
  run.model.dispose();
}

export function runToEnd(run: PreparedRun): RunResult {
  while (run.trainer.runBatch());
  return { ...run, result: run.trainer.finish() };
}

/** Prepares and runs a whole training run. */
export function runExperiment(data: Dataset, config: RunConfig, backend: Backend, callbacks: Callback[] = []): RunResult {
  return runToEnd(prepareRun(data, config, backend, callbacks));
}
