/**
 * The benchmark's workloads (issue 4), as plain data, and the engine running them on one backend.
 * W1: full MNIST, 784-100-10, ReLU, dropout 0.5, softmax-CE, batch 100, lr 0.01, one epoch, then one pass
 * over the 10,000 test images. W2: the first 1,000 images, batch 1, no dropout, lr 0.005, one epoch.
 * The network has no biases, as the book's.
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { sliceSet } from '../data/dataset.js';
import { Model, mlpSpec } from '../nn/model.js';
import type { OptimizerName, OptimizerSettings } from '../nn/optimizers.js';
import { evaluate } from '../train/evaluate.js';
import { Trainer } from '../train/trainer.js';

export interface Workload {
  name: 'W1' | 'W2';
  summary: string;
  trainCount: number;
  /** Test images evaluated after the epoch (0: none). */
  testCount: number;
  hidden: number;
  dropout: number;
  batchSize: number;
  lr: number;
}

export const WORKLOADS: Readonly<Record<'W1' | 'W2', Workload>> = Object.freeze({
  W1: { name: 'W1', summary: 'full MNIST, batch 100, dropout 0.5, + test pass', trainCount: 60000, testCount: 10000, hidden: 100, dropout: 0.5, batchSize: 100, lr: 0.01 },
  W2: { name: 'W2', summary: '1,000 images, batch 1 (the chapter\'s SGD)', trainCount: 1000, testCount: 0, hidden: 100, dropout: 0, batchSize: 1, lr: 0.005 },
});

/**
 * The floating-point work an epoch needs, counted densely (zero-skipping does not shrink it): per training
 * example the forward products, the weight gradients and the hidden layer's input gradient (the first
 * layer needs none); per test example the forward products.
 */
export function workloadFlops(w: Workload, inputs = 784, classes = 10): number {
  const forward = 2 * (inputs * w.hidden + w.hidden * classes);
  const train = 2 * forward + 2 * w.hidden * classes;
  return w.trainCount * train + w.testCount * forward;
}

/** An optimizer a workload's variant trains with: its name and settings beside the workload's lr. */
export interface OptimizerVariant {
  /** How the bench's table names it after the runner, e.g. '+ L2 0.003'. */
  label: string;
  optimizer: OptimizerName;
  settings: OptimizerSettings;
}

/**
 * W2's regularised variants (issue 14): the chapter's per-example epoch with L2, with momentum, with Adam (its
 * default rate), each against the plain epoch side by side.
 */
export const W2_VARIANTS: readonly OptimizerVariant[] = Object.freeze([
  { label: '+ L2 0.003', optimizer: 'sgd', settings: { l2: 0.003 } },
  { label: '+ momentum 0.9', optimizer: 'sgd', settings: { momentum: 0.9 } },
  { label: '+ adam', optimizer: 'adam', settings: { lr: 0.001 } },
]);

/**
 * One epoch of w on the engine, ready to run again and again: each run is the next epoch of one training run
 * (one Trainer, as `reglab train` keeps for all its epochs, so no run pays for setting one up); with a variant,
 * trained with its optimizer, whose state carries on from epoch to epoch.
 */
export function engineEpoch(backend: Backend, data: Dataset, w: Workload, seed = 1, variant?: OptimizerVariant): () => { testAcc: number | null } {
  const train = sliceSet(data.train, 0, w.trainCount, 'training set');
  const test = w.testCount ? sliceSet(data.test, 0, w.testCount, 'test set') : null;
  const spec = mlpSpec({ inputSize: 784, hidden: [w.hidden], classes: data.numClasses, dropout: w.dropout, bias: false });
  const model = new Model(spec, { backend, seed });
  const trainer = new Trainer(model, train, { epochs: Number.MAX_SAFE_INTEGER, batchSize: w.batchSize, lr: w.lr, ...(variant ? { optimizer: variant.optimizer, ...variant.settings } : {}) });
  return () => {
    trainer.runEpoch();
    return { testAcc: test ? evaluate(model, test).acc : null };
  };
}
