/**
 * The training loop as a small state machine, so that fit() can run it to the end, the web lab can run it a
 * few batches at a time without freezing, and a checkpoint can stop and resume it mid-way exactly.
 * Each epoch: (seeded) shuffle, batches of SGD, then validation and, on eval epochs, a test pass.
 */
import type { FloatArray } from '../backend/backend.js';
import type { ImageSet } from '../data/dataset.js';
import { pixelsOf } from '../data/dataset.js';
import { ConfigError, DataError, show } from '../errors.js';
import type { Model } from '../nn/model.js';
import { Sgd, type SgdConfig } from '../nn/sgd.js';
import type { OptimizerState } from '../nn/optimizer.js';
import type { RngState } from '../rng/mt19937.js';
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

/**
 * Everything a run carries from one batch to the next: with it, a fresh Trainer on the same model spec, data
 * and settings continues exactly as the one it was taken from (bit for bit). Weights are float64 copies, which
 * hold float32 values exactly.
 */
export interface TrainerState {
  /** Epochs completed. */
  epoch: number;
  history: EpochLogs[];
  /** The epoch in progress, or null at an epoch boundary. */
  progress: EpochProgress | null;
  weights: Float64Array;
  /** The weights divergence falls back to: those at the end of the last completed epoch. */
  lastGoodWeights: Float64Array;
  optimizer: OptimizerState;
  /** The model's generator (shuffling and dropout draw from it). */
  rng: RngState;
  /** Each callback's getState(), or null for a callback without state. */
  callbacks: unknown[];
  /** Set when training had ended on its own (a resumed run then only finishes). */
  stopReason: 'completed' | 'early-stopping' | null;
  stopMessage: string;
}

/** The keys of EpochLogs in their documented order (metrics files write them so). */
const LOG_KEYS = ['epoch', 'trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'testLoss', 'testAcc', 'seconds'] as const;

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
  /** A copy of the weights at the last good epoch's end, in the model's own dtype (exact). */
  private lastGoodWeights: FloatArray;
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
    this.lastGoodWeights = model.paramData.slice();
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
    // The epoch's last step may have overflowed the weights with a finite loss: such an epoch is not good.
    // (A plain loop over the model's own buffer: a tenth of a per-example epoch went to copying the weights
    // to float64 and checking them with every().)
    const data = this.model.paramData;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        this.diverge('a weight is not a finite number');
        return;
      }
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
    this.lastGoodWeights = data.slice();
    for (const cb of this.callbacks) cb.onEpochEnd?.(logs, this);
    if (this.epoch >= this.config.epochs) this.stop('completed');
  }

  /** Runs the rest of the current epoch; returns its logs (undefined if training was already done). */
  runEpoch(): EpochLogs | undefined {
    const before = this.epoch;
    while (this.epoch === before && this.runBatch());
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
   * The state may come from a file: everything is checked (types, sizes, ranges) and a bad state throws a
   * ConfigError naming what does not fit.
   */
  setState(state: unknown): void {
    if (this.started) throw new ConfigError('setState needs a trainer that has not run yet');
    const bad = (why: string): never => {
      throw new ConfigError(why);
    };
    if (!isRecord(state)) bad('trainer state: not an object');
    const s = state as Record<string, unknown>;
    const { epochs } = this.config;
    const epoch = s.epoch;
    if (!(typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0 && epoch <= epochs)) bad(`epoch ${show(epoch)} is not between 0 and the ${epochs} epochs of this run`);
    const e = epoch as number;
    const stopReason = s.stopReason;
    if (stopReason !== null && stopReason !== 'completed' && stopReason !== 'early-stopping') bad(`unknown stop reason ${show(stopReason)}`);
    if (typeof s.stopMessage !== 'string') bad('stop message is not a string');
    if (e === epochs && stopReason === null) bad(`all ${epochs} epochs are done but training is not marked as ended`);
    if (stopReason === 'completed' && e !== epochs) bad(`marked completed after ${e} of ${epochs} epochs`);
    const history = this.checkHistory(s.history, e);
    const progress = s.progress === null ? null : this.checkProgress(s.progress);
    if (progress && stopReason !== null) bad('an epoch is in progress but training is marked as ended');
    const n = this.model.paramData.length;
    for (const k of ['weights', 'lastGoodWeights'] as const) {
      const w = s[k];
      if (!(w instanceof Float64Array) || w.length !== n) bad(`${k}: expected ${n} numbers for this model`);
      if (!(w as Float64Array).every(Number.isFinite)) bad(`${k}: a value is not a finite number`);
    }
    const rng = s.rng;
    if (!isRecord(rng) || !Array.isArray(rng.key) || rng.key.length !== 624 || !Number.isInteger(rng.pos) || (rng.pos as number) < 0 || (rng.pos as number) > 624) {
      bad('random generator state: malformed');
    }
    if (!(rng as { key: unknown[] }).key.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff)) bad('random generator state: malformed');
    const cbs = s.callbacks;
    if (!Array.isArray(cbs) || cbs.length !== this.callbacks.length) bad(`expected the state of ${this.callbacks.length} callbacks`);
    this.callbacks.forEach((cb, i) => {
      if (!cb.setState && (cbs as unknown[])[i] !== null) bad(`callback ${i} has no state but the checkpoint holds one`);
      if (cb.setState && (cbs as unknown[])[i] === null) bad(`callback ${i} needs a state but the checkpoint holds none`);
    });
    if (!isRecord(s.optimizer)) bad('optimizer state: not an object');
    // All checked that can be checked here; the optimizer and the callbacks check their own before changing.
    const o = s.optimizer as Record<string, unknown>;
    this.optimizer.setState({ name: typeof o.name === 'string' ? o.name : 'sgd', step: typeof o.step === 'number' ? o.step : 0, buffers: { velocity: o.velocity as Float64Array[] } });
    this.epoch = e;
    this.history.splice(0, this.history.length, ...history);
    this.callbacks.forEach((cb, i) => cb.setState?.((cbs as unknown[])[i], this));
    this.progress = progress;
    this.model.setWeights(s.weights as Float64Array);
    this.lastGoodWeights = Float64Array.from(s.lastGoodWeights as Float64Array);
    this.model.rng.setState(rng as unknown as RngState);
    this.stopReason = stopReason as TrainerState['stopReason'];
    this.stopMessage = s.stopMessage as string;
  }

  private checkHistory(h: unknown, epoch: number): EpochLogs[] {
    if (!Array.isArray(h) || h.length !== epoch) throw new ConfigError(`history: expected ${epoch} epochs of logs`);
    return h.map((l: unknown, i) => {
      const bad = (why: string): never => {
        throw new ConfigError(`history, epoch ${i + 1}: ${why}`);
      };
      if (!isRecord(l)) bad('not an object');
      const r = l as Record<string, unknown>;
      for (const k of Object.keys(r)) if (!(LOG_KEYS as readonly string[]).includes(k)) bad(`unknown key ${k}`);
      if (r.epoch !== i + 1) bad(`numbered ${show(r.epoch)}`);
      const out: Record<string, number> = {};
      for (const k of LOG_KEYS) {
        const v = r[k];
        if (v === undefined) {
          if (k === 'trainLoss' || k === 'trainAcc' || k === 'seconds') bad(`${k} is missing`);
          continue;
        }
        if (typeof v !== 'number') bad(`${k} is not a number`);
        out[k] = v as number;
      }
      return out as unknown as EpochLogs;
    });
  }

  private checkProgress(p: unknown): EpochProgress {
    const bad = (why: string): never => {
      throw new ConfigError(`epoch in progress: ${why}`);
    };
    if (!isRecord(p)) bad('not an object');
    const r = p as Record<string, unknown>;
    const n = this.train.count;
    const { batchSize } = this.config;
    const nextBatch = r.nextBatch;
    if (!(typeof nextBatch === 'number' && Number.isInteger(nextBatch) && nextBatch >= 0 && nextBatch < this.batchesPerEpoch)) {
      bad(`next batch ${show(nextBatch)} is not between 0 and ${this.batchesPerEpoch - 1}`);
    }
    const seen = (nextBatch as number) * batchSize;
    if (r.seen !== seen) bad(`${show(r.seen)} examples seen after ${show(nextBatch)} batches of ${batchSize}`);
    if (!(Number.isInteger(r.correct) && (r.correct as number) >= 0 && (r.correct as number) <= seen)) bad('count of correct examples out of range');
    for (const k of ['lossSum', 'seconds'] as const) {
      if (!(typeof r[k] === 'number' && Number.isFinite(r[k]) && (r[k] as number) >= 0)) bad(`${k} is not a number >= 0`);
    }
    const order = r.order;
    if (!(order instanceof Int32Array) || order.length !== n) bad(`the order must list the ${n} training examples`);
    const o = order as Int32Array;
    let restored: Int32Array = o;
    if (this.config.shuffle) {
      const hit = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = o[i]!;
        if (v < 0 || v >= n || hit[v]) bad('the order is not a permutation of the training examples');
        hit[v] = 1;
      }
      restored = Int32Array.from(o);
    } else {
      restored = identityOrder(n);
      for (let i = 0; i < n; i++) if (o[i] !== i) bad('without shuffling the order must be the file order');
    }
    return { order: restored, nextBatch: nextBatch as number, lossSum: r.lossSum as number, correct: r.correct as number, seen, seconds: r.seconds as number };
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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
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
