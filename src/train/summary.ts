/**
 * A run in a few numbers, defined once: the best test epoch (the report's curves, the chapter's table and
 * `reglab train`'s summary all read it here) and the summary `reglab train` prints and writes as JSON.
 */
import type { ImageSet } from '../data/dataset.js';
import type { Model } from '../nn/model.js';
import type { EpochLogs } from './callbacks.js';
import { evaluate } from './evaluate.js';
import type { FitResult } from './trainer.js';

/** The epoch of the highest test accuracy and that accuracy (first on ties), or undefined without test passes. */
export function bestTest(history: ReadonlyArray<Pick<EpochLogs, 'epoch' | 'testAcc'>>): { epoch: number; testAcc: number } | undefined {
  let best: { epoch: number; testAcc: number } | undefined;
  for (const h of history) if (h.testAcc !== undefined && (best === undefined || h.testAcc > best.testAcc)) best = { epoch: h.epoch, testAcc: h.testAcc };
  return best;
}

/** The epoch of the highest test accuracy (first on ties), or undefined without test passes. */
export function bestTestEpoch(history: ReadonlyArray<Pick<EpochLogs, 'epoch' | 'testAcc'>>): number | undefined {
  return bestTest(history)?.epoch;
}

export interface RunSummary {
  epochs: number;
  stopReason: string;
  message: string;
  finalTrainLoss: number;
  finalTrainAcc: number;
  finalTestLoss: number | null;
  finalTestAcc: number | null;
  bestTestAcc: number | null;
  bestTestEpoch: number | null;
  /** With early stopping: the epoch whose weights were restored (the final figures are that epoch's). */
  restoredEpoch: number | null;
  seconds: number;
}

/** What summarize() reads of a finished run (experiments/run.ts's RunResult is one). */
export interface SummarizedRun {
  model: Model;
  result: FitResult;
  splits: { test?: ImageSet };
  earlyStopping: { readonly restored: boolean; readonly bestEpoch: number } | null;
}

/** The run in numbers; the final test figures are those of the model as it ends (after any restore). */
export function summarize(run: SummarizedRun, seconds: number): RunSummary {
  const h = run.result.history;
  const last = h[h.length - 1];
  const best = bestTest(h);
  const lastTest = run.splits.test ? evaluate(run.model, run.splits.test) : null;
  return {
    epochs: run.result.epochs,
    stopReason: run.result.stopReason,
    message: run.result.message,
    finalTrainLoss: last?.trainLoss ?? NaN,
    finalTrainAcc: last?.trainAcc ?? NaN,
    finalTestLoss: lastTest?.loss ?? null,
    finalTestAcc: lastTest?.acc ?? null,
    bestTestAcc: best?.testAcc ?? null,
    bestTestEpoch: best?.epoch ?? null,
    restoredEpoch: run.earlyStopping?.restored ? run.earlyStopping.bestEpoch : null,
    seconds,
  };
}
