/**
 * fit() hooks, tfjs/Keras style: a callback implements any of onTrainBegin, onEpochBegin, onBatchEnd,
 * onEpochEnd and onTrainEnd, and may end training with context.stop(). Callbacks that carry state expose
 * getState()/setState() so a checkpoint can resume them exactly. Callbacks see the run through the narrow
 * TrainingContext declared here (the Trainer implements it), so this file does not know the Trainer.
 */

/** What one epoch measured. Keys are a contract (the CLI's --metrics file writes them as they are). */
export interface EpochLogs {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean loss over the epoch's training examples, on the training forward passes (with dropout). */
  trainLoss: number;
  /** Accuracy on those same passes. */
  trainAcc: number;
  valLoss?: number;
  valAcc?: number;
  /** Present on epochs with a test pass. */
  testLoss?: number;
  testAcc?: number;
  /** That epoch's training time (excluding evaluation), in seconds. */
  seconds: number;
}

export type MetricName = 'trainLoss' | 'trainAcc' | 'valLoss' | 'valAcc' | 'testLoss' | 'testAcc';
export const METRIC_NAMES: readonly MetricName[] = ['trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'testLoss', 'testAcc'];

export interface BatchInfo {
  /** 0-based index of the batch within the epoch. */
  batch: number;
  /** Batches in the epoch. */
  batches: number;
  /** Examples in this batch. */
  size: number;
  /** Mean loss over this batch. */
  loss: number;
}

/** Why training ended: run out of epochs, stopped by a callback or by divergence, or from outside. */
export type StopReason = 'completed' | 'early-stopping' | 'diverged' | 'interrupted' | 'stopped';

/** The loop's own settings, resolved (FitConfig's, with FIT_DEFAULTS filled in). */
export interface LoopConfig {
  /** Epochs to train (>= 1). */
  epochs: number;
  /** Examples per step. */
  batchSize: number;
  /** Whether the training set is reshuffled each epoch. */
  shuffle: boolean;
  /** Test pass every evalEvery epochs (and on the first and last). */
  evalEvery: number;
}

/** What a callback may see and do of the run it is in: the Trainer implements it, a test may hand in a plain object. */
export interface TrainingContext {
  /** The weights being trained (early stopping keeps a copy of the best and puts it back). */
  readonly model: { getWeights(): Float64Array; setWeights(w: ArrayLike<number>): void };
  readonly config: Readonly<LoopConfig>;
  /** Epochs completed. */
  readonly epoch: number;
  /** Every completed epoch's logs. */
  readonly history: readonly EpochLogs[];
  readonly batchesPerEpoch: number;
  /** The epoch in progress so far (null between epochs): batches run, examples seen, their summed loss. */
  readonly progress: Readonly<{ nextBatch: number; seen: number; lossSum: number; correct: number }> | null;
  /** Whether validation (test) data is evaluated: what a monitor of valLoss (testLoss) needs. */
  readonly hasValidation: boolean;
  readonly hasTest: boolean;
  /** Ends training after the current batch (the first reason given is kept). */
  stop(reason: StopReason, message?: string): void;
}

export interface Callback {
  onTrainBegin?(context: TrainingContext): void;
  onEpochBegin?(epoch: number, context: TrainingContext): void;
  onBatchEnd?(info: BatchInfo, context: TrainingContext): void;
  /**
   * True when onBatchEnd only reads the context's counts (epoch, progress) and never stops the run, reads the
   * weights or takes a state: the Trainer may then run several per-example steps in one call and call
   * onBatchEnd for each of them afterwards, with the counts as they were after that step (a progress bar).
   */
  readonly passiveBatchEnd?: boolean;
  onEpochEnd?(logs: EpochLogs, context: TrainingContext): void;
  onTrainEnd?(context: TrainingContext): void;
  /**
   * State for checkpoints: plain JSON data, where numbers may be NaN or infinite and Float64Array, Float32Array,
   * Int32Array and Uint32Array are allowed anywhere (they are stored as binary).
   */
  getState?(): unknown;
  /** Restores getState()'s value, which may come from a file: check it and throw a ReglabError if it is bad. */
  setState?(state: unknown, context: TrainingContext): void;
}

/** Collects every epoch's logs (the trainer keeps them too, as trainer.history). */
export class History implements Callback {
  readonly epochs: EpochLogs[] = [];
  onEpochEnd(logs: EpochLogs): void {
    this.epochs.push(logs);
  }
}

/** Calls a function at the end of each epoch (for printing, charts, worker messages). */
export class LambdaCallback implements Callback {
  constructor(private readonly fns: Omit<Callback, 'getState' | 'setState'>) {}
  onTrainBegin(t: TrainingContext): void {
    this.fns.onTrainBegin?.(t);
  }
  onEpochBegin(e: number, t: TrainingContext): void {
    this.fns.onEpochBegin?.(e, t);
  }
  onBatchEnd(i: BatchInfo, t: TrainingContext): void {
    this.fns.onBatchEnd?.(i, t);
  }
  onEpochEnd(l: EpochLogs, t: TrainingContext): void {
    this.fns.onEpochEnd?.(l, t);
  }
  onTrainEnd(t: TrainingContext): void {
    this.fns.onTrainEnd?.(t);
  }
}
