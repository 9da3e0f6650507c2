/**
 * fit() hooks, tfjs/Keras style: a callback implements any of onTrainBegin, onEpochBegin, onBatchEnd,
 * onEpochEnd and onTrainEnd, and may end training with trainer.stop(). Callbacks that carry state expose
 * getState()/setState() so a checkpoint can resume them exactly.
 */
import type { Trainer } from './trainer.js';

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

export interface Callback {
  onTrainBegin?(trainer: Trainer): void;
  onEpochBegin?(epoch: number, trainer: Trainer): void;
  onBatchEnd?(info: BatchInfo, trainer: Trainer): void;
  onEpochEnd?(logs: EpochLogs, trainer: Trainer): void;
  onTrainEnd?(trainer: Trainer): void;
  /**
   * State for checkpoints: plain JSON data, where numbers may be NaN or infinite and Float64Array, Float32Array,
   * Int32Array and Uint32Array are allowed anywhere (they are stored as binary).
   */
  getState?(): unknown;
  /** Restores getState()'s value, which may come from a file: check it and throw a ReglabError if it is bad. */
  setState?(state: unknown, trainer: Trainer): void;
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
  onTrainBegin(t: Trainer): void {
    this.fns.onTrainBegin?.(t);
  }
  onEpochBegin(e: number, t: Trainer): void {
    this.fns.onEpochBegin?.(e, t);
  }
  onBatchEnd(i: BatchInfo, t: Trainer): void {
    this.fns.onBatchEnd?.(i, t);
  }
  onEpochEnd(l: EpochLogs, t: Trainer): void {
    this.fns.onEpochEnd?.(l, t);
  }
  onTrainEnd(t: Trainer): void {
    this.fns.onTrainEnd?.(t);
  }
}
