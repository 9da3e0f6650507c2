/**
 * The Trainer's per-example path: with batch size 1 and a model and optimizer whose step the backend runs as
 * one call (nn/per-example-step.ts), the epoch's steps go to the backend many at a time, and each step is
 * booked exactly as Trainer.runBatch books it (its loss and count added in order, the optimizer's step count,
 * onBatchEnd), so that metrics, histories and checkpoints are those of the step-by-step loop with the
 * backend's steps: on the fast backend float32 steps (backend/per-example.ts; with momentum or L2 those of
 * backend/per-example-reg-ref.ts), within rounding of the float64 step's. A run is the same bit for
 * bit however it is driven (runFor slices, runBatch, runEpoch) and resumed from a checkpoint.
 * Callbacks whose onBatchEnd may act on the run (stop it, read weights) get one step per call. With momentum
 * or L2 the optimizer's rows stepped lazily are the stepper's (their step counts advance in it, and with
 * momentum the first layer's matrix may be held in its eigenbasis until the epoch's sync); the optimizer's
 * step() here only counts the step. With Adam (no L2) the first layer's rows are stepped lazily too
 * (nn/adam-rows.ts: synced at fixed points, so a run is the same however it is driven).
 */
import type { PerExampleStepper } from '../backend/per-example.js';
import type { Model } from '../nn/model.js';
import type { Optimizer } from '../nn/optimizer.js';
import { perExampleStepper } from '../nn/per-example-step.js';
import type { BatchInfo, Callback } from './callbacks.js';
import type { EpochProgress } from './state.js';

/** Steps per call at most: about a millisecond of the chapter's steps. */
const CHUNK = 256;

/** What PerExampleRun needs of the Trainer. */
export interface PerExampleHost {
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly train: { readonly images: Uint8Array; readonly labels: Uint8Array };
  readonly batchesPerEpoch: number;
  batchEnded(info: BatchInfo): void;
}

export class PerExampleRun {
  private readonly losses: Float64Array;
  private readonly correct: Uint8Array;
  private readonly labels: Uint8Array;

  private constructor(
    private readonly stepper: PerExampleStepper,
    /** Steps per call at most: CHUNK, or 1 when a callback's onBatchEnd may act on the run. */
    readonly chunk: number,
    private readonly reportBatches: boolean,
  ) {
    this.losses = new Float64Array(chunk);
    this.correct = new Uint8Array(chunk);
    this.labels = new Uint8Array(chunk);
  }

  /** The path for this model, optimizer and callbacks (batch size 1), or null when the step is taken layer by layer. */
  static create(model: Model, optimizer: Optimizer, callbacks: readonly Callback[]): PerExampleRun | null {
    const stepper = perExampleStepper(model, optimizer);
    if (!stepper) return null;
    const batchEnd = callbacks.filter((cb) => cb.onBatchEnd);
    return new PerExampleRun(stepper, batchEnd.every((cb) => cb.passiveBatchEnd === true) ? CHUNK : 1, batchEnd.length > 0);
  }

  /**
   * Runs the n (<= chunk) batches from p.nextBatch and books them in p. Returns how many were applied and, when
   * the next one's loss was not finite (nothing of it applied, not booked), that loss.
   */
  run(host: PerExampleHost, p: EpochProgress, n: number): { ran: number; loss: number | null } {
    const t0 = performance.now();
    const start = p.nextBatch;
    const { losses, correct, labels } = this;
    for (let r = 0; r < n; r++) labels[r] = host.train.labels[p.order[start + r]!]!;
    host.model.steppedWith(host.optimizer);
    const ran = this.stepper.steps({ images: host.train.images, idx: p.order, start, count: n, labels, divisor: 255, losses, correct });
    const { params } = host.model;
    const seconds = (performance.now() - t0) / 1000;
    for (let r = 0; r < ran; r++) {
      host.optimizer.step(params); // every parameter was stepped: this counts the step
      p.lossSum += losses[r]!;
      p.correct += correct[r]!;
      p.seen += 1;
      p.nextBatch++;
      p.seconds += seconds / n;
      if (this.reportBatches) host.batchEnded({ batch: p.nextBatch - 1, batches: host.batchesPerEpoch, size: 1, loss: losses[r]! / 1 });
    }
    return { ran, loss: ran < n ? losses[ran]! : null };
  }
}
