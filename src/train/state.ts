/**
 * The types of a run's state between two batches (Trainer.getState/setState): what a checkpoint holds. Here,
 * below both the Trainer and io/trainer-state.ts (which turns a checkpoint's decoded data into one), so that
 * neither imports the other.
 */
import type { OptimizerState } from '../nn/optimizer.js';
import type { RngState } from '../rng/mt19937.js';
import type { EpochLogs } from './callbacks.js';

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
  /** The optimizer's name, step count and buffers. */
  optimizer: OptimizerState;
  /** The model's generator (shuffling and dropout draw from it). */
  rng: RngState;
  /** Each callback's getState(), or null for a callback without state. */
  callbacks: unknown[];
  /** Set when training had ended on its own (a resumed run then only finishes). */
  stopReason: 'completed' | 'early-stopping' | null;
  stopMessage: string;
}
