/** Messages between the lab page and its training worker. */
import type { EpochLogs } from '../train/callbacks.js';
import type { LabConfig } from './config.js';

export type ToWorker =
  | { type: 'start'; runId: number; config: LabConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** At most one epoch per msPerEpoch (0: as fast as it goes); a teacher's slow motion. Never changes the numbers. */
  | { type: 'pace'; msPerEpoch: number };

export type FromWorker =
  /** Loading MNIST: bytes so far of total (total 0 while unknown). */
  | { type: 'loading'; loaded: number; total: number }
  /**
   * Data loaded and backend ready ('wasm, float32' or 'ref, float32'), computing with `threads` threads;
   * isolated: whether the page is cross-origin isolated (threads need it; without it, one thread).
   */
  | { type: 'ready'; backend: string; threads: number; isolated: boolean }
  | {
      type: 'progress';
      runId: number;
      /** Epochs completed. */
      epoch: number;
      /** Batches done in the current epoch, of batches. */
      batch: number;
      batches: number;
      /** Epoch logs finished since the last message. */
      logs: EpochLogs[];
      /** Seconds since the run started (wall clock, training and evaluation). */
      elapsed: number;
      /** With early stopping: the best epoch so far, the one it would keep (0 before any). */
      earlyStoppingEpoch: number;
    }
  /** All the model's parameters (laid out as Model.paramData), for weight pictures and the drawing pad. */
  | { type: 'weights'; runId: number; weights: Float64Array }
  | {
      type: 'done';
      runId: number;
      stopReason: string;
      message: string;
      earlyStoppingEpoch: number;
      earlyStoppedAt: number;
      weights: Float64Array;
    }
  | { type: 'paused'; runId: number }
  | { type: 'error'; message: string; field?: string };
