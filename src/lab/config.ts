/**
 * The web lab's knobs as one typed config, its defaults and the chapter's experiments as presets, the check
 * that turns a bad field into a message naming the field, and buildRun(): the same prepareRun() that
 * `reglab train` calls, on the RunConfig the knobs mean, so the same seed and settings give the same numbers
 * in the page as on the command line (the page shows that command). Pure: no DOM, no file system.
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import { CHAPTER8_EXPERIMENTS } from '../experiments/chapter8.js';
import { trainCommandLine } from '../experiments/command-line.js';
import { prepareRun, resolveRunConfig, type PreparedRun, type RunConfig } from '../experiments/run.js';
import { mlpSpec, type ModelSpec } from '../nn/model.js';
import type { LossName } from '../nn/losses.js';
import type { Callback } from '../train/callbacks.js';

export interface LabConfig {
  /** Training images: the first N of MNIST's 60,000. Default 5000. */
  trainSize: number;
  /** Validation images: the ones right after the training images (never trained on). Default 1000. */
  valSize: number;
  /** Test images: the first N of MNIST's 10,000 test set. Default 10000. */
  testSize: number;
  /** Hidden units of the one hidden layer. Default 100. */
  hidden: number;
  /** Learning rate. Default 0.1. */
  lr: number;
  /** Examples per SGD step (1: the chapter's per-example SGD). Default 32. */
  batchSize: number;
  /** Dropout rate on the hidden layer, in [0, 1). Default 0. */
  dropout: number;
  /** Stop when validation loss has not improved for `patience` epochs, restoring the best weights. */
  earlyStopping: boolean;
  patience: number;
  /** L2 weight decay. Default 0. */
  l2: number;
  epochs: number;
  /** A test pass every N epochs (and on the first and last). Default 1. */
  evalEvery: number;
  /** 'ce' softmax cross-entropy, or 'mse' the book's squared error. Default 'ce'. */
  loss: LossName;
  seed: number;
}

export const LAB_DEFAULTS: Readonly<LabConfig> = Object.freeze({
  trainSize: 5000,
  valSize: 1000,
  testSize: 10000,
  hidden: 100,
  lr: 0.1,
  batchSize: 32,
  dropout: 0,
  earlyStopping: false,
  patience: 5,
  l2: 0,
  epochs: 20,
  evalEvery: 1,
  loss: 'ce',
  seed: 1,
});

export interface Preset {
  id: string;
  name: string;
  /** What to look for, one sentence. */
  lesson: string;
  config: Readonly<LabConfig>;
}

/** The lab's view of a RunConfig (one hidden layer; the lab always keeps a validation set). */
export function labConfigOf(rc: Readonly<RunConfig>): LabConfig {
  return {
    trainSize: rc.trainSize,
    valSize: rc.valSize || LAB_DEFAULTS.valSize,
    testSize: rc.testSize,
    hidden: rc.hidden[0] ?? LAB_DEFAULTS.hidden,
    lr: rc.lr,
    batchSize: rc.batchSize,
    dropout: rc.dropout,
    earlyStopping: rc.earlyStopping !== null,
    patience: rc.earlyStopping?.patience ?? LAB_DEFAULTS.patience,
    l2: rc.l2,
    epochs: rc.epochs,
    evalEvery: rc.evalEvery,
    loss: rc.loss,
    seed: rc.seed,
  };
}

/** The chapter's experiments as `reglab chapter8` runs them (bar the ensemble), after a quick start. */
export const PRESETS: readonly Preset[] = [
  { id: 'quick', name: 'Quick start', lesson: 'Mini-batches on 5,000 images: test accuracy passes 85% within an epoch or two; watch the train–test gap open.', config: LAB_DEFAULTS },
  ...CHAPTER8_EXPERIMENTS.filter((e) => !e.ensembleSeeds).map((e) => ({ id: e.name, name: `Ch. 8: ${e.name}`, lesson: `As reglab chapter8: ${e.title}.`, config: Object.freeze(labConfigOf(e.config)) })),
];

/** A bad field: which one (a LabConfig key) and a sentence a person can act on. */
export class LabFieldError extends ConfigError {
  override name = 'LabFieldError';
  constructor(
    readonly field: keyof LabConfig,
    message: string,
  ) {
    super(message);
  }
}

const MNIST_TRAIN = 60000;
const MNIST_TEST = 10000;

interface Rule {
  label: string;
  kind: 'int' | 'number' | 'bool' | 'loss';
  min?: number;
  max?: number;
  maxExclusive?: boolean;
}

/** Each field's label and range, also used by the page to build its form. */
export const LAB_FIELDS: Readonly<Record<keyof LabConfig, Rule>> = Object.freeze({
  trainSize: { label: 'Training images', kind: 'int', min: 1, max: MNIST_TRAIN },
  valSize: { label: 'Validation images', kind: 'int', min: 1, max: 10000 },
  testSize: { label: 'Test images', kind: 'int', min: 1, max: MNIST_TEST },
  hidden: { label: 'Hidden units', kind: 'int', min: 1, max: 2048 },
  lr: { label: 'Learning rate', kind: 'number', min: 0, max: 10 },
  batchSize: { label: 'Batch size', kind: 'int', min: 1, max: 10000 },
  dropout: { label: 'Dropout rate', kind: 'number', min: 0, max: 1, maxExclusive: true },
  earlyStopping: { label: 'Early stopping', kind: 'bool' },
  patience: { label: 'Patience (epochs)', kind: 'int', min: 0, max: 1000 },
  l2: { label: 'L2 weight decay', kind: 'number', min: 0, max: 10 },
  epochs: { label: 'Epochs', kind: 'int', min: 1, max: 10000 },
  evalEvery: { label: 'Test every N epochs', kind: 'int', min: 1, max: 10000 },
  loss: { label: 'Loss', kind: 'loss' },
  seed: { label: 'Seed', kind: 'int', min: 0, max: 2 ** 32 - 1 },
});

/**
 * A LabConfig from loose values (form strings, JSON): every field checked, the first bad one reported as a
 * LabFieldError. Missing fields take the defaults.
 */
export function parseLabConfig(raw: Readonly<Record<string, unknown>>): LabConfig {
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(LAB_FIELDS) as [keyof LabConfig, Rule][]) {
    const v = raw[key] ?? LAB_DEFAULTS[key];
    const bad = (why: string) => new LabFieldError(key, `${rule.label}: ${why}`);
    if (rule.kind === 'bool') {
      if (typeof v === 'boolean') out[key] = v;
      else if (v === 'true' || v === 'on') out[key] = true;
      else if (v === 'false' || v === 'off') out[key] = false;
      else throw bad(`expected on or off, got '${String(v)}'`);
      continue;
    }
    if (rule.kind === 'loss') {
      if (v !== 'ce' && v !== 'mse') throw bad(`expected ce or mse, got '${String(v)}'`);
      out[key] = v;
      continue;
    }
    const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
    if (s === '') throw bad('enter a value');
    const n = Number(s);
    if (!Number.isFinite(n)) throw bad(`'${s}' is not a number`);
    if (rule.kind === 'int' && !Number.isInteger(n)) throw bad(`'${s}' is not a whole number`);
    const { min = -Infinity, max = Infinity } = rule;
    if (key === 'lr' && n <= 0) throw bad(`must be greater than 0, got ${s}`);
    if (n < min || n > max || (rule.maxExclusive && n === max)) {
      throw bad(`must be from ${min} to ${max}${rule.maxExclusive ? ' (exclusive)' : ''}, got ${s}`);
    }
    out[key] = n;
  }
  const c = out as unknown as LabConfig;
  if (c.trainSize + c.valSize > MNIST_TRAIN) {
    throw new LabFieldError('valSize', `Validation images: ${c.trainSize} training + ${c.valSize} validation images exceed MNIST's ${MNIST_TRAIN}`);
  }
  if (c.batchSize > c.trainSize) throw new LabFieldError('batchSize', `Batch size: ${c.batchSize} is larger than the training set (${c.trainSize})`);
  return c;
}

/** Moved to backend.ts (re-exported here for older imports). */
export { labBackend } from './backend.js';

export function labModelSpec(c: Readonly<LabConfig>): ModelSpec {
  return mlpSpec({ inputSize: 784, hidden: [c.hidden], classes: 10, dropout: c.dropout, loss: c.loss });
}

/** The RunConfig the knobs mean (everything else at reglab train's defaults). */
export function toRunConfig(c: Readonly<LabConfig>): RunConfig {
  return resolveRunConfig({
    trainSize: c.trainSize,
    valSize: c.valSize,
    testSize: c.testSize,
    hidden: [c.hidden],
    dropout: c.dropout,
    loss: c.loss,
    epochs: c.epochs,
    lr: c.lr,
    batchSize: c.batchSize,
    l2: c.l2,
    evalEvery: c.evalEvery,
    seed: c.seed,
    earlyStopping: c.earlyStopping ? { monitor: 'valLoss', patience: c.patience } : null,
  });
}

/** The command line that trains the same run (same numbers) outside the browser. */
export function labCommandLine(c: Readonly<LabConfig>): string {
  return trainCommandLine(toRunConfig(c));
}

/** The run a config means, on MNIST as loaded (the page's worker and Node alike). */
export function buildRun(c: Readonly<LabConfig>, data: Dataset, backend: Backend, callbacks: Callback[] = []): PreparedRun {
  return prepareRun(data, toRunConfig(c), backend, callbacks);
}
