/**
 * The chapter's experiments on real MNIST, as data: a 784-100-10 network memorises 1,000 images, then early
 * stopping, dropout, mini-batches, L2 weight decay and an ensemble each change that. Library code (no I/O):
 * the CLI prints and writes files, the web lab offers the same list.
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { Model } from '../nn/model.js';
import type { Callback, EpochLogs } from '../train/callbacks.js';
import { evaluate } from '../train/evaluate.js';
import { bestTest } from '../train/summary.js';
import { ensembleVote, type EnsembleResult, type EnsembleVotes } from './ensemble.js';
import { disposeRun, resolveRunConfig, runExperiment, type RunConfig, type RunResult } from './run.js';

export interface Chapter8Experiment {
  name: string;
  /** One line for the table and the report. */
  title: string;
  config: RunConfig;
  /** For the ensemble: the seeds of its members (each trained with config). */
  ensembleSeeds?: number[];
}

/** The base of every experiment: 1,000 training images, 784-100-10 ReLU, softmax-CE, per-example SGD. */
export const CHAPTER8_BASE: Partial<RunConfig> = Object.freeze({ trainSize: 1000, testSize: 10000, hidden: [100], lr: 0.005, batchSize: 1, epochs: 40, seed: 1 });

export const CHAPTER8_EXPERIMENTS: readonly Chapter8Experiment[] = Object.freeze([
  { name: 'overfit', title: 'no regularisation: memorises the 1,000 images', config: resolveRunConfig({ ...CHAPTER8_BASE }) },
  {
    name: 'early-stopping',
    title: 'early stopping on 1,000 validation images (best weights restored)',
    config: resolveRunConfig({ ...CHAPTER8_BASE, valSize: 1000, earlyStopping: { monitor: 'valLoss', patience: 5 } }),
  },
  { name: 'dropout', title: 'dropout 0.5 on the hidden layer', config: resolveRunConfig({ ...CHAPTER8_BASE, dropout: 0.5 }) },
  {
    name: 'minibatch',
    title: 'mini-batches of 100 with dropout 0.5 (lr 0.1 on the batch mean)',
    config: resolveRunConfig({ ...CHAPTER8_BASE, batchSize: 100, dropout: 0.5, lr: 0.1, epochs: 300, evalEvery: 10 }),
  },
  { name: 'l2', title: 'L2 weight decay 0.003 (beyond the chapter)', config: resolveRunConfig({ ...CHAPTER8_BASE, l2: 0.003 }) },
  {
    name: 'ensemble',
    title: '5 unregularised nets from different seeds vote',
    config: resolveRunConfig({ ...CHAPTER8_BASE, evalEvery: 1000 }),
    ensembleSeeds: [1, 2, 3, 4, 5],
  },
]);

export interface Chapter8Result {
  name: string;
  title: string;
  config: RunConfig;
  /** Highest test accuracy of any test pass, and its epoch (for the ensemble: the vote, after the last epoch). */
  bestTestAcc: number;
  bestEpoch: number;
  /** Test accuracy of the final model (after early stopping's restore; for the ensemble, the vote's). */
  finalTestAcc: number;
  /** Its mean test cross-entropy (for the ensemble, of the members' averaged probabilities). */
  finalTestLoss: number;
  /** Accuracy of the final model on its training images, in eval mode (no dropout). */
  finalTrainAcc: number;
  /** finalTrainAcc - finalTestAcc: the generalisation gap. */
  gap: number;
  epochs: number;
  stopReason: string;
  /** With early stopping: the epoch whose weights were restored. */
  restoredEpoch: number | null;
  seconds: number;
  history: EpochLogs[];
  ensemble?: EnsembleResult;
  /** The ensemble's vote image by image (for the report; not in summary.json). */
  ensembleVotes?: EnsembleVotes;
  /** The trained model (the ensemble's first member for the ensemble); the caller's to dispose(). */
  model: Model;
}

/** callbacks: made anew for each training run (the ensemble trains one per seed), e.g. a progress bar. */
export function runChapter8Experiment(data: Dataset, exp: Chapter8Experiment, backend: Backend, callbacks: () => Callback[] = () => []): Chapter8Result {
  const t0 = performance.now();
  const seeds = exp.ensembleSeeds ?? [exp.config.seed];
  const runs: RunResult[] = seeds.map((seed) => runExperiment(data, { ...exp.config, seed }, backend, callbacks()));
  const first = runs[0]!;
  const test = first.splits.test!;
  const finalTest = evaluate(first.model, test);
  const finalTrain = evaluate(first.model, first.splits.train);
  const vote = exp.ensembleSeeds ? ensembleVote(runs.map((r) => r.model), test) : undefined;
  // Only the first run's model is kept (returned): the other members and every optimizer give their buffers back.
  for (const r of runs.slice(1)) disposeRun(r);
  first.trainer.optimizer.dispose();
  const ensemble = vote ? { acc: vote.acc, loss: vote.loss, memberAcc: vote.memberAcc } : undefined;
  const best = bestTest(first.result.history) ?? { epoch: 0, testAcc: -1 };
  const finalTestAcc = ensemble ? ensemble.acc : finalTest.acc;
  return {
    name: exp.name,
    title: exp.title,
    config: exp.config,
    bestTestAcc: ensemble ? ensemble.acc : best.testAcc,
    bestEpoch: ensemble ? first.result.epochs : best.epoch,
    finalTestAcc,
    finalTestLoss: ensemble ? ensemble.loss : finalTest.loss,
    finalTrainAcc: finalTrain.acc,
    gap: finalTrain.acc - finalTestAcc,
    epochs: first.result.epochs,
    stopReason: first.result.stopReason,
    restoredEpoch: first.earlyStopping?.restored ? first.earlyStopping.bestEpoch : null,
    seconds: (performance.now() - t0) / 1000,
    history: first.result.history,
    ...(ensemble ? { ensemble, ensembleVotes: vote!.votes } : {}),
    model: first.model,
  };
}
