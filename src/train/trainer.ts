/**
 * The training loop as a small state machine, so that fit() can run it to the end, the web lab can run it a
 * few batches at a time without freezing, and a checkpoint can stop and resume it mid-way exactly.
 * Each epoch: (seeded) shuffle, batches stepped by the optimizer it is given (the seam of nn/optimizer.ts,
 * built by name when given one), then validation and, on eval epochs, a test pass. runFor(ms) is the one
 * time-sliced driver every client uses; a checkpoint's state comes in typed, checked by io/trainer-state.ts.
 */
import type { ImageSet } from '../data/dataset.js';
import { PIXEL_MAX, pixelsOf } from '../data/dataset.js';
import { ConfigError, DataError } from '../errors.js';
import type { Model } from '../nn/model.js';
import type { Optimizer } from '../nn/optimizer.js';
import { PerExampleRun } from './per-example-run.js';
import { createOptimizer, DEFAULT_OPTIMIZER, type OptimizerName, type OptimizerSettings } from '../nn/optimizers.js';
import type { BatchInfo, Callback, EpochLogs, LoopConfig, StopReason, TrainingContext } from './callbacks.js';
import { checkInputSize, checkLabels, evaluate, identityOrder } from './evaluate.js';
import type { EpochProgress, TrainerState } from './state.js';

export type { StopReason } from './callbacks.js';
export type { EpochProgress, TrainerState } from './state.js';

export interface FitConfig extends OptimizerSettings {
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
  /**
   * The update rule: 'sgd' (the default) or 'adam', built by createOptimizer from this config's lr, momentum,
   * l2, beta1, beta2 and eps; or an Optimizer of your own over the model's parameters (those fields are then
   * not read).
   */
  optimizer?: OptimizerName | Optimizer;
}

export const FIT_DEFAULTS = Object.freeze({ epochs: 10, batchSize: 1, shuffle: true, evalEvery: 1 });

function checkPositiveInt(name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 1)) throw new ConfigError(`${name} must be a positive integer, got ${v}`);
}

export class Trainer implements TrainingContext {
  readonly config: Readonly<LoopConfig>;
  readonly optimizer: Optimizer;
  readonly callbacks: readonly Callback[];
  readonly history: EpochLogs[] = [];
  /** Epochs completed. */
  epoch = 0;
  stopReason: StopReason | null = null;
  stopMessage = '';
  progress: EpochProgress | null = null;
  private started = false;
  private finished = false;
  /** A copy of the weights at the last good epoch's end, in the model's own dtype (exact). */
  private lastGoodWeights: Float32Array | Float64Array; // a host copy, not a backend buffer
  private readonly labels: Uint8Array;
  /** Batch-1 steps many per call (Backend.perExampleSgd), when the model, loss, optimizer and batch fit; else null. */
  private readonly perExample: PerExampleRun | null;

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
    checkLabels(model, train, 'training data');
    for (const [what, set] of [['validation data', fitConfig.validation], ['test data', fitConfig.test]] as const) {
      if (set && pixelsOf(set) !== pixelsOf(train)) throw new DataError(`${what}: images are not the size of the training images`);
      if (set) checkLabels(model, set, what);
    }
    this.config = Object.freeze(c);
    const o = fitConfig.optimizer ?? DEFAULT_OPTIMIZER;
    this.optimizer = typeof o === 'string' ? createOptimizer(o, model.backend, model.params, fitConfig) : o;
    if (!this.optimizer.params.every((p) => model.params.includes(p))) throw new ConfigError("the optimizer steps parameters that are not this model's");
    this.callbacks = fitConfig.callbacks ?? [];
    this.lastGoodWeights = hostCopy(model.paramData);
    this.labels = new Uint8Array(c.batchSize);
    this.perExample = c.batchSize === 1 ? PerExampleRun.create(model, this.optimizer, this.callbacks) : null;
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
    return this.runBatches(1) > 0 && !this.done;
  }

  /**
   * Runs up to max batches (at least one, at most to the epoch's end) and returns how many ran (a batch that
   * diverged counts), 0 when training was already done. More than one only on the per-example path.
   */
  private runBatches(max: number): number {
    this.begin();
    if (this.done) return 0;
    const p = (this.progress ??= this.beginEpoch());
    if (this.perExample) {
      const n = Math.max(1, Math.min(max, this.perExample.chunk, this.batchesPerEpoch - p.nextBatch));
      const { ran, loss } = this.perExample.run(this, p, n);
      if (loss !== null) {
        this.diverge(`loss is ${loss}`);
        return ran + 1;
      }
      if (p.nextBatch === this.batchesPerEpoch) this.endEpoch(p);
      return ran;
    }
    this.runOneBatch(p);
    return 1;
  }

  /** The batch at p.nextBatch, kernel by kernel. */
  private runOneBatch(p: EpochProgress): boolean {
    const t0 = performance.now();
    const { batchSize } = this.config;
    const start = p.nextBatch * batchSize;
    const size = Math.min(batchSize, this.train.count - start);
    const x = this.model.inputBuffer(size);
    this.model.backend.gatherRows(x, this.train.images, p.order, start, size, this.model.inputSize, PIXEL_MAX);
    const labels = this.labels.subarray(0, size);
    for (let r = 0; r < size; r++) labels[r] = this.train.labels[p.order[start + r]!]!;
    const { lossSum, correct } = this.model.trainStep(x, labels, size, this.optimizer);
    if (!Number.isFinite(lossSum)) return this.diverge(`loss is ${lossSum}`);
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

  /** Calls every callback's onBatchEnd (the per-example path, after each of its steps). */
  batchEnded(info: BatchInfo): void {
    for (const cb of this.callbacks) cb.onBatchEnd?.(info, this);
  }

  /** Puts the last good weights back and stops: the epoch in progress is not recorded. */
  private diverge(why: string): false {
    this.model.setWeights(this.lastGoodWeights);
    this.stop('diverged', `training diverged at epoch ${this.epoch + 1} (${why}); the weights of epoch ${this.epoch} were kept; try a lower learning rate`);
    return false;
  }

  private isEvalEpoch(epoch: number): boolean {
    return epoch === 1 || epoch === this.config.epochs || epoch % this.config.evalEvery === 0;
  }

  private endEpoch(p: EpochProgress): void {
    // Rows an optimizer steps lazily are brought up to date here, at a fixed point of every run.
    this.optimizer.sync?.();
    // The epoch's last step may have overflowed the weights with a finite loss: such an epoch is not good.
    // (The backend's kernel over the model's own buffer when it has one: a JavaScript loop over the weights
    // was a tenth of a per-example epoch.)
    if (!this.model.backend.allFinite(this.model.paramData, this.model.paramData.length)) {
      this.diverge('a weight is not a finite number');
      return;
    }
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
    // Into the copy it has (a slice of a view of the fast backend's shared memory took a millisecond).
    this.lastGoodWeights.set(this.model.paramData);
    for (const cb of this.callbacks) cb.onEpochEnd?.(logs, this);
    if (this.epoch >= this.config.epochs) this.stop('completed');
  }

  /**
   * The one time-sliced driver (the CLI, the lab's worker and the sweep's workers run training through it):
   * runs batches for about ms milliseconds of wall time, at least one, stopping early at the end of an epoch
   * (so the caller can save, print or post it) and when training is done. Numbers never depend on the slice:
   * only where the caller gets its turn does.
   */
  runFor(ms: number): SliceResult {
    const t0 = performance.now();
    const epoch = this.epoch;
    let batches = 0;
    let more = !this.done;
    // Per-example steps go in chunks that double (16, 32, ... up to the path's chunk) between looks at the clock.
    let chunk = 16;
    while (more) {
      const ran = this.runBatches(chunk);
      more = ran > 0 && !this.done;
      batches += Math.max(ran, 1);
      chunk *= 2;
      if (this.epoch !== epoch || performance.now() - t0 >= ms) break;
    }
    return { batches, epochEnded: this.epoch !== epoch ? this.history[this.history.length - 1]! : null, more };
  }

  /** Runs the rest of the current epoch; returns its logs (undefined if training was already done). */
  runEpoch(): EpochLogs | undefined {
    const before = this.epoch;
    while (this.epoch === before && this.runBatches(Infinity) > 0 && !this.done);
    return this.epoch > before ? this.history[this.history.length - 1] : undefined;
  }

  /**
   * A snapshot of the run between two batches (for checkpoints). Refused after finish() (best weights may have
   * been restored) and after divergence (the state is not one to continue from).
   */
  getState(): TrainerState {
    if (this.finished) throw new ConfigError('cannot take the state of a finished run');
    if (this.stopReason !== null && this.stopReason !== 'completed' && this.stopReason !== 'early-stopping') {
      throw new ConfigError(`cannot take the state of a run that ${this.stopReason === 'diverged' ? 'diverged' : 'was stopped'}`);
    }
    const p = this.progress;
    return {
      epoch: this.epoch,
      history: this.history.map((l) => ({ ...l })),
      progress: p ? { ...p, order: Int32Array.from(p.order) } : null,
      weights: this.model.getWeights(),
      lastGoodWeights: Float64Array.from(this.lastGoodWeights),
      optimizer: this.optimizer.getState(),
      rng: this.model.rng.getState(),
      callbacks: this.callbacks.map((cb) => (cb.getState ? cb.getState() : null)),
      stopReason: this.stopReason,
      stopMessage: this.stopMessage,
    };
  }

  /**
   * Puts a getState() snapshot back into a fresh trainer built with the same model spec, data and settings.
   * A state from a file is checked first (io/trainer-state.ts: decodeTrainerState); the optimizer and the
   * callbacks check their own parts, before anything changes, and throw a ConfigError naming what does not fit.
   */
  setState(state: TrainerState): void {
    if (this.started) throw new ConfigError('setState needs a trainer that has not run yet');
    if (state.callbacks.length !== this.callbacks.length) throw new ConfigError(`expected the state of ${this.callbacks.length} callbacks`);
    this.optimizer.setState(state.optimizer);
    this.epoch = state.epoch;
    this.history.splice(0, this.history.length, ...state.history.map((l) => ({ ...l })));
    this.callbacks.forEach((cb, i) => cb.setState?.(state.callbacks[i], this));
    this.progress = state.progress ? { ...state.progress, order: Int32Array.from(state.progress.order) } : null;
    this.model.setWeights(state.weights);
    this.optimizer.restoreRows?.();
    this.lastGoodWeights = Float64Array.from(state.lastGoodWeights);
    this.model.rng.setState(state.rng);
    this.stopReason = state.stopReason;
    this.stopMessage = state.stopMessage;
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

/** What one Trainer.runFor() slice did. */
export interface SliceResult {
  /** Batches run (0 when training was already done). */
  batches: number;
  /** The logs of the epoch that ended in this slice (a slice ends with its epoch), else null. */
  epochEnded: EpochLogs | null;
  /** False once training is done (completed, stopped, diverged): only finish() remains. */
  more: boolean;
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

/** A host copy of a backend buffer: allocated, then set (slice() of a view of shared memory is slow). */
function hostCopy(x: Readonly<Float32Array | Float64Array>): Float32Array | Float64Array {
  const copy = x instanceof Float64Array ? new Float64Array(x.length) : new Float32Array(x.length);
  copy.set(x);
  return copy;
}
