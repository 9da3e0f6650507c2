/** Messages between the lab page and its training worker. */
import type { EpochLogs } from '../train/callbacks.js';
import type { LabConfig } from './config.js';
import type { ModelSpec } from '../nn/model.js';

export type ToWorker =
  | { type: 'start'; runId: number; config: LabConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** At most one epoch per msPerEpoch (0: as fast as it goes); a teacher's slow motion. Never changes the numbers. */
  | { type: 'pace'; msPerEpoch: number }
  /**
   * The predicted class of each of the first testSize test images by a model of this spec and weights (the
   * scrubber's epoch): answered between training slices with 'test-predictions' and the same id.
   */
  | { type: 'predict-test'; id: number; spec: ModelSpec; weights: Float32Array; testSize: number }
  /** The test images at these indices (28x28 bytes each), answered with 'test-images' and the same id. */
  | { type: 'test-images'; id: number; indices: number[] };

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
  | { type: 'weights'; runId: number; weights: Float64Array; spec: ModelSpec }
  /**
   * The weights at the end of an epoch, for the epoch scrubber (float32: what the lab trains in). Sent for
   * every epoch while the run's snapshots fit SNAPSHOT_BUDGET_BYTES, else for every stride-th epoch.
   */
  | { type: 'snapshot'; runId: number; epoch: number; weights: Float32Array }
  /**
   * In slow motion, with dropout: the first hidden layer's units kept (1) or dropped (0) for the first
   * example of the epoch's last training step (dropout-mask.ts). Sent before that epoch's progress.
   */
  | { type: 'dropout-mask'; runId: number; epoch: number; kept: Uint8Array; rate: number }
  | { type: 'test-predictions'; id: number; predicted: Uint8Array; labels: Uint8Array }
  | { type: 'test-images'; id: number; images: Uint8Array; height: number; width: number }
  | {
      type: 'done';
      runId: number;
      stopReason: string;
      message: string;
      earlyStoppingEpoch: number;
      earlyStoppedAt: number;
      weights: Float64Array;
      /** The model the weights belong to: the page builds its own copy from it. */
      spec: ModelSpec;
    }
  | { type: 'paused'; runId: number }
  | { type: 'error'; message: string; field?: string };
