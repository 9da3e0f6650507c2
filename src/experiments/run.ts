/**
 * One training run: its splits, model and trainer from a RunConfig (the plain data `reglab train`'s flags, the
 * chapter's experiments and the web lab all produce; defined, defaulted and checked in settings.ts), and the
 * function that carries it out on a dataset. No I/O: works in Node and the browser.
 */
import type { Backend } from '../backend/backend.js';
import { sliceSet, pixelsOf, type Dataset, type ImageSet } from '../data/dataset.js';
import { SettingError } from '../errors.js';
import { validateRunConfig, type RunConfig } from './settings.js';
import { Model, mlpSpec, type ModelSpec } from '../nn/model.js';
import type { Callback } from '../train/callbacks.js';
import { EarlyStopping } from '../train/early-stopping.js';
import { Trainer, type FitResult } from '../train/trainer.js';
import { crc32 } from '../io/crc32.js';

export { RUN_DEFAULTS, type RunConfig } from './settings.js';

/**
 * A full RunConfig from the settings given (the rest at their defaults), checked by validateRunConfig: unknown
 * settings and bad values are refused with a SettingError naming the setting.
 */
export function resolveRunConfig(partial: Partial<RunConfig>): RunConfig {
  return validateRunConfig(partial);
}

export interface Splits {
  train: ImageSet;
  validation?: ImageSet;
  test?: ImageSet;
}

/** The deterministic, disjoint splits a config asks for. */
export function splitData(data: Dataset, c: RunConfig): Splits {
  if (c.trainSize + c.valSize > data.train.count) {
    throw new SettingError('trainSize', `trainSize ${c.trainSize} plus valSize ${c.valSize} exceeds the ${data.train.count} training images`, ['valSize']);
  }
  if (c.testSize > data.test.count) throw new SettingError('testSize', `testSize ${c.testSize} exceeds the ${data.test.count} test images`);
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
    optimizer: config.optimizer,
    beta1: config.beta1,
    beta2: config.beta2,
    eps: config.eps,
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
