/**
 * The training loop as a small state machine, so that fit() can run it to the end, the web lab can run it a
 * few batches at a time without freezing, and a checkpoint can stop and resume it mid-way exactly.
 * Each epoch: (seeded) shuffle, batches of SGD, then validation and, on eval epochs, a test pass.
 */
import type { ImageSet } from '../data/dataset.js';
import { pixelsOf } from '../data/dataset.js';
import { ConfigError, DataError } from '../errors.js';
import type { Model } from '../nn/model.js';
import { Sgd, type SgdConfig } from '../nn/sgd.js';
import type { BatchInfo, Callback, EpochLogs } from './callbacks.js';
import { checkInputSize, evaluate, identityOrder } from './evaluate.js';

export interface FitConfig extends SgdConfig {
  /** Epochs to train (>= 1). Default 10. */
  epochs?: number;
  /** Examples per SGD step; the gradient is their mean. 1 is the chapter's per-example SGD. Default 1. */
  batchSize?: number;
  /** Reshuffle the training set each epoch with the model's generator. Default true; false keeps file order. */
  shuffle?: boolean;
  /** Validation data, evaluated after every epoch (what early stopping watches). */
  validation?: ImageSet;
  /** Test data, evaluated on eval epochs. */
  test?: ImageSet;
  /** Test pass on epochs divisible by evalEvery, and on the first and last. Default 1 (every epoch). */
  evalEvery?: number;
  callbacks?: Callback[];
}

export const FIT_DEFAULTS = Object.freeze({ epochs: 10, batchSize: 1, shuffle: true, evalEvery: 1 });

export type StopReason = 'completed' | 'early-stopping' | 'diverged' | 'interrupted' | 'stopped';

/** The part of an epoch in progress: where a mid-epoch checkpoint resumes from. */
export interface EpochProgress {
  /** The order of training examples this epoch. */
  order: Int32Array;
  /** Next batch to run (0-based). */
  nextBatch: number;
  lossSum: number;
  correct: number;
  seen: number;
  seconds: number;
}

function checkPositiveInt(name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 1)) throw new ConfigError(`${name} must be a positive integer, got ${v}`);
}

export class Trainer {
  readonly config: Readonly<Required<Omit<FitConfig, 'validation' | 'test' | 'callbacks' | keyof SgdConfig>>>;
  readonly optimizer: Sgd;
  readonly callbacks: readonly Callback[];
  readonly history: EpochLogs[] = [];
  /** Epochs completed. */
  epoch = 0;
  stopReason: StopReason | null = null;
  stopMessage = '';
  progress: EpochProgress | null = null;
  private started = false;
  private finished = false;
  private lastGoodWeights: Float64Array;
  private readonly labels: Uint8Array;

  constructor(
    readonly model: Model,
    readonly train: ImageSet,
    readonly fitConfig: FitConfig = {},
  ) {
    const c = {
      epochs: fitConfig.epochs ?? FIT_DEFAULTS.epochs,
      batchSize: fitConfig.batchSize ?? FIT_DEFAULTS.batchSize,
      shuffle: fitConfig.shuffle ?? FIT_DEFAULTS.shuffle,
      evalEvery: fitConfig.evalEvery ?? FIT_DEFAULTS.evalEvery,
    };
    checkPositiveInt('epochs', c.epochs);
    checkPositiveInt('batch size', c.batchSize);
    checkPositiveInt('evalEvery', c.evalEvery);
    if (c.batchSize > train.count) throw new ConfigError(`batch size ${c.batchSize} is larger than the training set (${train.count})`);
    checkInputSize(model, train, 'training data');
    for (const [what, set] of [['validation data', fitConfig.validation], ['test data', fitConfig.test]] as const) {
      if (set && pixelsOf(set) !== pixelsOf(train)) throw new DataError(`${what}: images are not the size of the training images`);
    }
    this.config = Object.freeze(c);
    this.optimizer = new Sgd(model.backend, model.params, fitConfig);
    this.callbacks = fitConfig.callbacks ?? [];
    this.lastGoodWeights = model.getWeights();
    this.labels = new Uint8Array(c.batchSize);
  }

  get hasValidation(): boolean {
    return this.fitConfig.validation !== undefined;
  }
  get hasTest(): boolean {
    return this.fitConfig.test !== undefined;
  }
  get done(): boolean {
    return this.stopReason !== null;
  }
  get batchesPerEpoch(): number {
    return Math.ceil(this.train.count / this.config.batchSize);
  }

  /** Ends training after the current batch; reason and message are reported by fit(). */
  stop(reason: StopReason, message = ''): void {
    if (this.stopReason === null) {
      this.stopReason = reason;
      this.stopMessage = message;
    }
  }

  private begin(): void {
    if (this.started) return;
    this.started = true;
    for (const cb of this.callbacks) cb.onTrainBegin?.(this);
  }

  private beginEpoch(): EpochProgress {
    const n = this.train.count;
    let order = identityOrder(n);
    if (this.config.shuffle) {
      order = Int32Array.from(order);
      this.model.rng.shuffle(order);
    }
    for (const cb of this.callbacks) cb.onEpochBegin?.(this.epoch + 1, this);
    return { order, nextBatch: 0, lossSum: 0, correct: 0, seen: 0, seconds: 0 };
  }

  /** Runs one batch (starting an epoch, or ending one, as needed). Returns false once training is done. */
  runBatch(): boolean {
    this.begin();
    if (this.done) return false;
    const p = (this.progress ??= this.beginEpoch());
    const t0 = performance.now();
    const { batchSize } = this.config;
    const start = p.nextBatch * batchSize;
    const size = Math.min(batchSize, this.train.count - start);
    const x = this.model.inputBuffer(size);
    this.model.backend.gatherRows(x, this.train.images, p.order, start, size, this.model.inputSize, 255);
    const labels = this.labels.subarray(0, size);
    for (let r = 0; r < size; r++) labels[r] = this.train.labels[p.order[start + r]!]!;
    const { lossSum, correct } = this.model.trainStep(x, labels, size, this.optimizer);
    if (!Number.isFinite(lossSum)) {
      this.model.setWeights(this.lastGoodWeights);
      this.stop('diverged', `training diverged at epoch ${this.epoch + 1} (loss is ${lossSum}); the weights of epoch ${this.epoch} were kept; try a lower learning rate`);
      return false;
    }
    p.lossSum += lossSum;
    p.correct += correct;
    p.seen += size;
    p.nextBatch++;
    p.seconds += (performance.now() - t0) / 1000;
    const info: BatchInfo = { batch: p.nextBatch - 1, batches: this.batchesPerEpoch, size, loss: lossSum / size };
    for (const cb of this.callbacks) cb.onBatchEnd?.(info, this);
    if (p.nextBatch === this.batchesPerEpoch) this.endEpoch(p);
    return !this.done;
  }

  private isEvalEpoch(epoch: number): boolean {
    return epoch === 1 || epoch === this.config.epochs || epoch % this.config.evalEvery === 0;
  }

  private endEpoch(p: EpochProgress): void {
    this.progress = null;
    this.epoch++;
    const { validation, test } = this.fitConfig;
    const v = validation ? evaluate(this.model, validation) : null;
    const t = test && this.isEvalEpoch(this.epoch) ? evaluate(this.model, test) : null;
    // Keys in the documented order, seconds last.
    const logs: EpochLogs = {
      epoch: this.epoch,
      trainLoss: p.lossSum / p.seen,
      trainAcc: p.correct / p.seen,
      ...(v ? { valLoss: v.loss, valAcc: v.acc } : {}),
      ...(t ? { testLoss: t.loss, testAcc: t.acc } : {}),
      seconds: p.seconds,
    };
    this.history.push(logs);
    this.lastGoodWeights = this.model.getWeights();
    for (const cb of this.callbacks) cb.onEpochEnd?.(logs, this);
    if (this.epoch >= this.config.epochs) this.stop('completed');
  }

  /** Runs the rest of the current epoch; returns its logs (undefined if training was already done). */
  runEpoch(): EpochLogs | undefined {
    const before = this.epoch;
    while (this.epoch === before && this.runBatch());
    return this.epoch > before ? this.history[this.history.length - 1] : undefined;
  }

  /** Calls onTrainEnd (restoring best weights, etc.) once. */
  finish(): FitResult {
    if (!this.finished) {
      this.finished = true;
      this.stop('stopped');
      for (const cb of this.callbacks) cb.onTrainEnd?.(this);
    }
    return { history: this.history, stopReason: this.stopReason!, message: this.stopMessage, epochs: this.epoch };
  }
}

export interface FitResult {
  history: EpochLogs[];
  stopReason: StopReason;
  /** A sentence for people when training did not simply complete. */
  message: string;
  /** Epochs completed. */
  epochs: number;
}

/** Trains model on train until the epochs run out or a callback stops it. */
export function fit(model: Model, train: ImageSet, config: FitConfig = {}): FitResult {
  const trainer = new Trainer(model, train, config);
  while (trainer.runBatch());
  return trainer.finish();
}
