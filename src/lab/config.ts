/**
 * The web lab's knobs as one typed config, its defaults and the chapter's experiments as presets, the check
 * that turns a bad field into a message naming the field, and buildRun(): the same prepareRun() that
 * `reglab train` calls, on the RunConfig the knobs mean, so the same seed and settings give the same numbers
 * in the page as on the command line (the page shows that command). Pure: no DOM, no file system.
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { ConfigError, SettingError, show } from '../errors.js';
import { CHAPTER8_EXPERIMENTS } from '../experiments/chapter8.js';
import { trainCommandLine } from '../experiments/command-line.js';
import { prepareRun, type PreparedRun } from '../experiments/run.js';
import { RUN_DEFAULTS, RUN_SETTINGS, checkSettingValue, parseSettingValue, settingValueOf, validateRunConfig, type RunConfig, type RunSetting } from '../experiments/settings.js';
import type { OptimizerName } from '../nn/optimizers.js';
import type { LossName } from '../nn/losses.js';
import type { Callback, MetricName } from '../train/callbacks.js';

/**
 * The lab's knobs: every run setting, one field each, named by the setting's last part (`patience` for
 * `earlyStopping.patience`), with the lab's own defaults (LAB_DEFAULTS). Each field's meaning, range and
 * default for `reglab train` are RUN_SETTINGS' (experiments/settings.ts).
 */
export interface LabConfig {
  /** Training images: the first N of MNIST's 60,000. Default 5000. */
  trainSize: number;
  /** Validation images: the ones right after the training images (never trained on). Default 1000. */
  valSize: number;
  /** Test images: the first N of MNIST's 10,000 test set. Default 10000. */
  testSize: number;
  /** Hidden layer widths. Default [100]. */
  hidden: number[];
  /** Hidden layers' activation. Default 'relu'. */
  activation: RunConfig['activation'];
  /** Learning rate. Default 0.1. */
  lr: number;
  /** Examples per step (1: the chapter's per-example SGD). Default 32. */
  batchSize: number;
  /** Dropout rate on the hidden layers, in [0, 1). Default 0. */
  dropout: number;
  /** Stop when the watched metric has not improved for `patience` epochs, restoring the best weights. Default off. */
  earlyStopping: boolean;
  /** Early stopping's patience, in epochs. Default 5. */
  patience: number;
  /** Early stopping's smallest improvement. Default 0. */
  minDelta: number;
  /** The metric early stopping watches. Default 'valLoss'. */
  monitor: MetricName;
  /** L2 weight decay. Default 0. */
  l2: number;
  epochs: number;
  /** A test pass every N epochs (and on the first and last). Default 1. */
  evalEvery: number;
  /** 'ce' softmax cross-entropy, or 'mse' the book's squared error. Default 'ce'. */
  loss: LossName;
  /** Weight initialisation. Default 'uniform'. */
  init: RunConfig['init'];
  /** Bias vectors. Default true. */
  bias: boolean;
  /** Reshuffle the training images each epoch. Default true. */
  shuffle: boolean;
  /** 'sgd' or 'adam'. Default 'sgd'. */
  optimizer: OptimizerName;
  /** SGD momentum in [0, 1). Default 0. */
  momentum: number;
  /** Adam's beta1, beta2 and epsilon. Defaults 0.9, 0.999, 1e-8. */
  beta1: number;
  beta2: number;
  eps: number;
  seed: number;
}

const MNIST_TRAIN = 60000;
const MNIST_TEST = 10000;

/** A field of the form: the setting it sets, its label, kind and limits (the table's). */
export interface LabField {
  readonly setting: string;
  readonly label: string;
  readonly kind: RunSetting['kind'];
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly choices?: readonly string[];
  readonly doc: string;
  /** Shown under "More settings" (folded away), not among the chapter's knobs. */
  readonly more: boolean;
}

/** The form's order: the chapter's knobs first, then (folded away) the rest of the settings. */
const CHAPTER_FIELDS: readonly (keyof LabConfig)[] = ['trainSize', 'testSize', 'hidden', 'epochs', 'lr', 'batchSize', 'dropout', 'l2', 'earlyStopping', 'patience', 'valSize', 'evalEvery', 'loss', 'seed'];
const FIELD_ORDER: readonly (keyof LabConfig)[] = [
  ...CHAPTER_FIELDS,
  'activation', 'init', 'bias', 'shuffle', 'optimizer', 'momentum', 'beta1', 'beta2', 'eps', 'monitor', 'minDelta',
];

/** The lab field of a setting: its name's last part. */
const fieldOf = (setting: string) => setting.slice(setting.lastIndexOf('.') + 1) as keyof LabConfig;

/** Each field's setting, label and limits, from the table, in the form's order (the page builds its form from it). */
export const LAB_FIELDS: Readonly<Record<keyof LabConfig, LabField>> = Object.freeze(
  Object.fromEntries(
    FIELD_ORDER.map((key) => {
      const s = RUN_SETTINGS.find((r) => fieldOf(r.name) === key)!;
      const { name, label, kind, min, max, minExclusive, maxExclusive, choices, doc } = s;
      return [key, Object.freeze({ setting: name, label, kind, min, max, minExclusive, maxExclusive, choices, doc, more: !CHAPTER_FIELDS.includes(key) })];
    }),
  ) as Record<keyof LabConfig, LabField>,
);

export const LAB_DEFAULTS: Readonly<LabConfig> = Object.freeze({
  ...labConfigOf(RUN_DEFAULTS),
  trainSize: 5000,
  valSize: 1000,
  testSize: 10000,
  lr: 0.1,
  batchSize: 32,
  epochs: 20,
});

export interface Preset {
  id: string;
  name: string;
  /** What to look for, one sentence. */
  lesson: string;
  config: Readonly<LabConfig>;
}

/** The lab's view of a RunConfig: every setting's value in its field. */
export function labConfigOf(rc: Readonly<RunConfig>): LabConfig {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(LAB_FIELDS)) {
    const v = settingValueOf(rc, f.setting);
    out[key] = Array.isArray(v) ? [...v] : v;
  }
  return out as unknown as LabConfig;
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

/** The engine's message in the lab's words: the field's label first, each setting named by its label. */
function labFieldError(e: SettingError): LabFieldError {
  const field = fieldOf(e.setting);
  const label = (n: string) => LAB_FIELDS[fieldOf(n)]?.label ?? n;
  let msg = e.message.startsWith(`${e.setting} `) ? e.message.slice(e.setting.length + 1) : e.message;
  for (const n of [e.setting, ...e.mentions].sort((a, b) => b.length - a.length)) {
    msg = msg.replace(new RegExp(`(?<![\\w.])${n.replace('.', '\\.')}(?![\\w]|\\.\\w)`, 'g'), label(n));
  }
  return new LabFieldError(field, `${label(e.setting)}: ${msg}`);
}

function asLabField<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof SettingError ? labFieldError(e) : e;
  }
}

/** One field's text checked alone by the table's parser; a bad one throws a LabFieldError in the lab's words. */
export function checkLabFieldText(key: keyof LabConfig, text: string): void {
  asLabField(() => parseSettingValue(LAB_FIELDS[key].setting, text));
}

/**
 * A LabConfig from loose values (form strings, JSON): each field through the table's parser (text) or check
 * (typed values), then validateRunConfig, as `reglab train` does with its flags; then the fit to MNIST. The
 * first bad field is reported as a LabFieldError. Missing fields take the lab's defaults.
 */
export function parseLabConfig(raw: Readonly<Record<string, unknown>>): LabConfig {
  for (const k of Object.keys(raw)) if (!(k in LAB_FIELDS)) throw new ConfigError(`the lab has no setting ${show(k)}`);
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(LAB_FIELDS) as [keyof LabConfig, LabField][]) {
    const v = raw[key] ?? LAB_DEFAULTS[key];
    out[key] = asLabField(() => (typeof v === 'string' ? parseSettingValue(f.setting, v) : checkSettingValue(f.setting, v)));
  }
  const c = out as unknown as LabConfig;
  toRunConfig(c);
  if (c.trainSize > MNIST_TRAIN) throw new LabFieldError('trainSize', `Training images: ${c.trainSize} exceed MNIST's ${MNIST_TRAIN}`);
  if (c.trainSize + c.valSize > MNIST_TRAIN) {
    throw new LabFieldError('valSize', `Validation images: ${c.trainSize} training + ${c.valSize} validation images exceed MNIST's ${MNIST_TRAIN}`);
  }
  if (c.testSize > MNIST_TEST) throw new LabFieldError('testSize', `Test images: ${c.testSize} exceed MNIST's ${MNIST_TEST}`);
  return c;
}

/** Moved to backend.ts (re-exported here for older imports). */
export { labBackend } from './backend.js';

/** The RunConfig the knobs mean, checked by validateRunConfig (early stopping's fields count only when it is on). */
export function toRunConfig(c: Readonly<LabConfig>): RunConfig {
  const given: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(LAB_FIELDS) as [keyof LabConfig, LabField][]) {
    if (f.setting.startsWith('earlyStopping.') && !c.earlyStopping) continue;
    given[f.setting] = c[key];
  }
  return asLabField(() => validateRunConfig(given));
}

/** The command line that trains the same run (same numbers) outside the browser. */
export function labCommandLine(c: Readonly<LabConfig>): string {
  return trainCommandLine(toRunConfig(c));
}

/** The run a config means, on MNIST as loaded (the page's worker and Node alike). */
export function buildRun(c: Readonly<LabConfig>, data: Dataset, backend: Backend, callbacks: Callback[] = []): PreparedRun {
  return prepareRun(data, toRunConfig(c), backend, callbacks);
}
