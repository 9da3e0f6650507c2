/**
 * One run definition: every setting of a training run in one table (RUN_SETTINGS), and what comes from it:
 * RunConfig's defaults, the one check of a config (validateRunConfig), the one parser of a setting's value
 * from text (parseSettingValue) and the one check of a typed value alone (checkSettingValue). The CLI's
 * flags and help, the lab's fields, the command line a run is shown as, and the sweep's search spaces and
 * trials all read this table, so a new setting is added here and nowhere else. Errors are SettingErrors
 * naming the setting; clients translate the names (to `--flags`, to field labels). Pure: no I/O.
 */
import { SettingError, ConfigError, show } from '../errors.js';
import { LOSS_NAMES, type LossName } from '../nn/losses.js';
import type { DenseInit } from '../nn/layer.js';
import { METRIC_NAMES } from '../train/callbacks.js';
import { EARLY_STOPPING_DEFAULTS, type EarlyStoppingConfig } from '../train/early-stopping.js';

import { OPTIMIZER_NAMES, type OptimizerName } from '../nn/optimizers.js';

/** A training run as plain data: what `reglab train`'s flags, the chapter's experiments and the lab produce. */
export interface RunConfig {
  /** Training images: the first trainSize of the training file. Default 1000 (the chapter's). */
  trainSize: number;
  /** Validation images: the valSize training images right after the first trainSize. Default 0 (none). */
  valSize: number;
  /** Test images: the first testSize of the test file; 0 for no test pass. Default 10000. */
  testSize: number;
  /** Hidden layer widths. Default [100]. */
  hidden: number[];
  /** Hidden layers' activation. Default 'relu'. */
  activation: 'relu' | 'sigmoid' | 'tanh';
  /** Dropout rate after each hidden layer, in [0, 1). Default 0. */
  dropout: number;
  /** 'ce' softmax cross-entropy, or 'mse' the book's squared error on a linear output. Default 'ce'. */
  loss: LossName;
  /** Weight initialisation. Default 'uniform' (the chapter's U(-0.1, 0.1)); 'glorot' with optimizer 'adam'. */
  init: DenseInit;
  /** Bias vectors in the dense layers. Default true (the book's network has none). */
  bias: boolean;
  /** Epochs to train. Default 40. */
  epochs: number;
  /** Learning rate, > 0. Default 0.005. */
  lr: number;
  /** Examples per step; the gradient is their mean. Default 1. */
  batchSize: number;
  /** SGD momentum in [0, 1) (sgd only). Default 0. */
  momentum: number;
  /** L2 weight decay on weights. Default 0. */
  l2: number;
  /** Reshuffle each epoch (default true; false keeps the file order, as the book). */
  shuffle: boolean;
  /** Test pass every N epochs (and on the first and last). Default 1. */
  evalEvery: number;
  /** One seed for init, shuffling and dropout. Default 1. */
  seed: number;
  /** Early stopping settings, or null for none. Default null. */
  earlyStopping: EarlyStoppingConfig | null;
  /** The optimizer. Default 'sgd'. */
  optimizer: OptimizerName;
  /** Adam's decay rate of the gradient's running mean, in [0, 1). Default 0.9. */
  beta1: number;
  /** Adam's decay rate of the squared gradient's running mean, in [0, 1). Default 0.999. */
  beta2: number;
  /** Adam's constant added to the denominator, > 0. Default 1e-8. */
  eps: number;
}

export type SettingKind = 'int' | 'number' | 'bool' | 'choice' | 'intList';
export type SettingValue = number | boolean | string | number[];
export type HelpGroup = 'data' | 'network' | 'training';

/** One run setting: its name, kind, range, default and how each client shows it. */
export interface RunSetting {
  /** The RunConfig key, dotted when nested (`earlyStopping.patience`). */
  readonly name: string;
  readonly kind: SettingKind;
  /** Range of a number, an int or each int of a list; ends included unless the *Exclusive flag says not. */
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /** The words a choice may take. */
  readonly choices?: readonly string[];
  readonly default: SettingValue;
  /**
   * A default that another setting changes: while `setting` is `equals`, a run that does not give this one
   * gets `value` (init: Glorot's with Adam, as Keras's layers start, the chapter's uniform with SGD).
   */
  readonly defaultIf?: { readonly setting: string; readonly equals: SettingValue; readonly value: SettingValue };
  /** One line on what it does (the CLI's help line). */
  readonly doc: string;
  /** The CLI flag, without dashes. A bool's flag sets it to true, or, named `no-...`, to false. */
  readonly flag: string;
  /** The help's placeholder for the value (default: N, X, LIST or NAME by kind). */
  readonly metavar?: string;
  /** What the help says after the default, e.g. ': none'. */
  readonly defaultNote?: string;
  /** The lab's field label. */
  readonly label: string;
  readonly group: HelpGroup;
}

const ES = EARLY_STOPPING_DEFAULTS;
const BIG = 1 << 24;

/**
 * Every run setting, in the order a command line writes them (the seed last). The ranges are the CLI's:
 * any command line that was valid stays valid.
 */
export const RUN_SETTINGS: readonly RunSetting[] = Object.freeze([
  { name: 'trainSize', kind: 'int', min: 1, max: BIG, default: 1000, doc: 'the first N training images', flag: 'train-size', label: 'Training images', group: 'data' },
  { name: 'valSize', kind: 'int', min: 0, max: BIG, default: 0, doc: 'validation: the N training images right after the first N', flag: 'val-size', defaultNote: ': none', label: 'Validation images', group: 'data' },
  { name: 'testSize', kind: 'int', min: 0, max: BIG, default: 10000, doc: 'the first N test images; 0 for no test pass', flag: 'test-size', defaultNote: ', or all if fewer', label: 'Test images', group: 'data' },
  { name: 'hidden', kind: 'intList', min: 1, max: 1 << 16, default: [100], doc: 'hidden layer widths, e.g. 100 or 128,64', flag: 'hidden', label: 'Hidden units', group: 'network' },
  { name: 'activation', kind: 'choice', choices: ['relu', 'sigmoid', 'tanh'], default: 'relu', doc: 'relu, sigmoid or tanh', flag: 'activation', label: 'Activation', group: 'network' },
  { name: 'dropout', kind: 'number', min: 0, max: 1, maxExclusive: true, default: 0, doc: 'dropout rate after each hidden layer, in [0, 1)', flag: 'dropout', metavar: 'P', label: 'Dropout rate', group: 'network' },
  { name: 'loss', kind: 'choice', choices: LOSS_NAMES, default: 'ce', doc: "softmax cross-entropy, or the book's squared error on a linear output", flag: 'loss', metavar: LOSS_NAMES.join('|'), label: 'Loss', group: 'network' },
  { name: 'init', kind: 'choice', choices: ['uniform', 'he', 'glorot'], default: 'uniform', defaultIf: { setting: 'optimizer', equals: 'adam', value: 'glorot' }, doc: "uniform (the chapter's U(-0.1, 0.1)), he or glorot", flag: 'init', label: 'Weight init', group: 'network' },
  { name: 'bias', kind: 'bool', default: true, doc: "no bias vectors (the book's network has none)", flag: 'no-bias', label: 'Bias vectors', group: 'network' },
  { name: 'epochs', kind: 'int', min: 1, max: 1_000_000, default: 40, doc: 'passes over the training set', flag: 'epochs', label: 'Epochs', group: 'training' },
  { name: 'lr', kind: 'number', min: 0, max: 1e6, default: 0.005, doc: 'learning rate', flag: 'lr', label: 'Learning rate', group: 'training' },
  { name: 'batchSize', kind: 'int', min: 1, max: BIG, default: 1, doc: 'examples per step; the gradient is their mean', flag: 'batch-size', label: 'Batch size', group: 'training' },
  { name: 'momentum', kind: 'number', min: 0, max: 1, maxExclusive: true, default: 0, doc: 'SGD momentum, in [0, 1)', flag: 'momentum', label: 'Momentum', group: 'training' },
  { name: 'l2', kind: 'number', min: 0, max: 1e6, default: 0, doc: 'L2 weight decay on weights', flag: 'l2', label: 'L2 weight decay', group: 'training' },
  { name: 'shuffle', kind: 'bool', default: true, doc: "keep the file order every epoch (the book's); default: reshuffle each epoch", flag: 'no-shuffle', label: 'Reshuffle each epoch', group: 'training' },
  { name: 'evalEvery', kind: 'int', min: 1, max: 1_000_000, default: 1, doc: 'test pass every N epochs, and on the first and last', flag: 'eval-every', label: 'Test every N epochs', group: 'training' },
  { name: 'seed', kind: 'int', min: 0, max: 0xffffffff, default: 1, doc: 'one seed for init, shuffling and dropout', flag: 'seed', label: 'Seed', group: 'training' },
  { name: 'earlyStopping', kind: 'bool', default: false, doc: "stop when the monitored metric stops improving; the best epoch's weights are restored", flag: 'early-stopping', label: 'Early stopping', group: 'training' },
  { name: 'earlyStopping.patience', kind: 'int', min: 0, max: 1_000_000, default: ES.patience, doc: 'epochs without improvement before stopping', flag: 'patience', label: 'Patience (epochs)', group: 'training' },
  { name: 'earlyStopping.minDelta', kind: 'number', min: 0, max: Infinity, default: ES.minDelta, doc: 'smallest change that counts as an improvement', flag: 'min-delta', label: 'Min. improvement', group: 'training' },
  { name: 'earlyStopping.monitor', kind: 'choice', choices: METRIC_NAMES, default: ES.monitor, doc: METRIC_NAMES.join(', '), flag: 'monitor', label: 'Watch', group: 'training' },
  { name: 'optimizer', kind: 'choice', choices: OPTIMIZER_NAMES, default: 'sgd', doc: 'sgd (plain, or with momentum) or adam (with beta1, beta2, eps)', flag: 'optimizer', label: 'Optimizer', group: 'training' },
  { name: 'beta1', kind: 'number', min: 0, max: 1, maxExclusive: true, default: 0.9, doc: "adam's decay rate of the gradient's running mean, in [0, 1)", flag: 'beta1', label: 'Adam beta1', group: 'training' },
  { name: 'beta2', kind: 'number', min: 0, max: 1, maxExclusive: true, default: 0.999, doc: "adam's decay rate of the squared gradient's running mean, in [0, 1)", flag: 'beta2', label: 'Adam beta2', group: 'training' },
  { name: 'eps', kind: 'number', min: 0, max: Infinity, minExclusive: true, default: 1e-8, doc: "adam's constant added to the denominator, > 0", flag: 'eps', label: 'Adam epsilon', group: 'training' },
] satisfies RunSetting[]);

const BY_NAME: ReadonlyMap<string, RunSetting> = new Map(RUN_SETTINGS.map((s) => [s.name, s]));
const BY_FLAG: ReadonlyMap<string, RunSetting> = new Map(RUN_SETTINGS.map((s) => [s.flag, s]));
const ES_PREFIX = 'earlyStopping.';
const ES_SETTINGS = RUN_SETTINGS.filter((s) => s.name.startsWith(ES_PREFIX));
const ADAM_SETTINGS = ['beta1', 'beta2', 'eps'];

/** The setting of that name (a RunConfig key, dotted when nested), or undefined. */
export function settingByName(name: string): RunSetting | undefined {
  return BY_NAME.get(name);
}

/** The setting a CLI flag (without dashes: 'batch-size', 'no-bias') sets, or undefined. */
export function settingByFlag(flag: string): RunSetting | undefined {
  return BY_FLAG.get(flag);
}

/** The config's value of a setting (`earlyStopping.patience` with its default when early stopping is on). */
export function settingValueOf(c: Readonly<RunConfig>, name: string): SettingValue {
  if (name === 'earlyStopping') return c.earlyStopping !== null;
  if (name.startsWith(ES_PREFIX)) {
    const v = c.earlyStopping?.[name.slice(ES_PREFIX.length) as keyof EarlyStoppingConfig];
    return (v ?? BY_NAME.get(name)!.default) as SettingValue;
  }
  return (c as unknown as Record<string, SettingValue>)[name]!;
}

/** A setting's default in a config whose other settings are read by `valueOf` (defaultIf applied). */
export function defaultOf(s: RunSetting, valueOf: (name: string) => SettingValue): SettingValue {
  const d = s.defaultIf !== undefined && valueOf(s.defaultIf.setting) === s.defaultIf.equals ? s.defaultIf.value : s.default;
  return Array.isArray(d) ? [...d] : d;
}

function rangeText(s: RunSetting): string {
  if (s.kind === 'int') return `between ${s.min} and ${s.max}`;
  return `in ${s.minExclusive ? '(' : '['}${s.min}, ${s.max}${s.maxExclusive ? ')' : ']'}`;
}

function inRange(s: RunSetting, v: number): boolean {
  const { min = -Infinity, max = Infinity } = s;
  return !(v < min || v > max || (s.minExclusive && v === min) || (s.maxExclusive && v === max));
}

function listText(s: RunSetting): string {
  return `must be a comma-separated list of integers from ${s.min} to ${s.max}`;
}

/** A number in its setting's range may still be refused alone: lr 0 (its range starts at 0, but no step is taken). */
function checkAlone(s: RunSetting, v: number): void {
  if (s.name === 'lr' && v === 0) throw new SettingError('lr', 'lr must be greater than 0');
}

function known(name: string): RunSetting {
  const s = BY_NAME.get(name);
  if (!s) throw new SettingError(name, `${name} is not a run setting`);
  return s;
}

/**
 * One setting's value from text (a flag's value, a form field, a URL fragment, a search space): trimmed,
 * converted to the setting's kind and range-checked. Bools read true/false (or on/off); lists read `128,64`.
 */
export function parseSettingValue(name: string, text: string): SettingValue {
  const s = known(name);
  const t = text.trim();
  const bad = (why: string) => new SettingError(name, `${name} ${why}`);
  if (t === '') throw bad('needs a value');
  switch (s.kind) {
    case 'bool':
      if (t === 'true' || t === 'on') return true;
      if (t === 'false' || t === 'off') return false;
      throw bad(`must be true or false, got '${text}'`);
    case 'choice':
      if (!s.choices!.includes(t)) throw bad(`must be one of ${s.choices!.join(', ')}, got '${text}'`);
      return t;
    case 'intList': {
      const parts = t.split(',').map((p) => p.trim());
      if (parts.some((p) => !/^\d+$/.test(p) || !inRange(s, Number(p)))) throw bad(`${listText(s)}, got '${text}'`);
      return parts.map(Number);
    }
    case 'int':
      if (!/^[+-]?\d+$/.test(t)) throw bad(`must be an integer, got '${text}'`);
      break;
    case 'number':
      if (!Number.isFinite(Number(t))) throw bad(`must be a number, got '${text}'`);
      break;
  }
  const v = Number(t);
  if (!inRange(s, v)) throw bad(`must be ${rangeText(s)}, got ${t}`);
  checkAlone(s, v);
  return v;
}

/** Checks a typed value (from JSON or code) against its setting: the same kinds and ranges as parseSettingValue. */
export function checkSettingValue(name: string, v: unknown): SettingValue {
  const s = known(name);
  const bad = (why: string) => new SettingError(name, `${name} ${why}, got ${show(v)}`);
  switch (s.kind) {
    case 'bool':
      if (typeof v !== 'boolean') throw bad('must be true or false');
      return v;
    case 'choice':
      if (typeof v !== 'string' || !s.choices!.includes(v)) throw bad(`must be one of ${s.choices!.join(', ')}`);
      return v;
    case 'intList':
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && inRange(s, x))) throw bad(listText(s));
      return [...(v as number[])];
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw bad('must be an integer');
      break;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('must be a number');
      break;
  }
  if (!inRange(s, v as number)) throw bad(`must be ${rangeText(s)}`);
  checkAlone(s, v as number);
  return v as number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The given settings of a partial config, by setting name: nested (`earlyStopping: { patience: 3 }` or null)
 * or flat (`earlyStopping: true, 'earlyStopping.patience': 3`). Undefined values count as not given.
 */
function givenSettings(partial: Record<string, unknown>): Map<string, unknown> {
  const given = new Map<string, unknown>();
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined) continue;
    if (k === 'earlyStopping' && (v === null || isObject(v))) {
      given.set(k, v !== null);
      for (const [sk, sv] of Object.entries(v ?? {})) if (sv !== undefined) given.set(ES_PREFIX + sk, sv);
    } else {
      given.set(k, v);
    }
  }
  for (const k of given.keys()) known(k);
  return given;
}

/**
 * The one check of a run's settings, at the boundary: unknown settings refused, every value's kind and range
 * checked, then the rules between settings. Takes a partial config, nested or flat (see givenSettings), with
 * typed values; gives the full RunConfig, defaults filled in (early stopping's too when it is on).
 */
export function validateRunConfig(partial: unknown): RunConfig {
  if (!isObject(partial)) throw new ConfigError(`a run config must be an object of settings, got ${show(partial)}`);
  const given = givenSettings(partial);
  const value = new Map<string, SettingValue>();
  for (const s of RUN_SETTINGS) {
    if (given.has(s.name)) value.set(s.name, checkSettingValue(s.name, given.get(s.name)));
  }
  const valueOf = (name: string) => value.get(name) ?? defaultOf(BY_NAME.get(name)!, valueOf);
  for (const s of RUN_SETTINGS) if (!value.has(s.name)) value.set(s.name, defaultOf(s, valueOf));
  const num = (name: string) => value.get(name) as number;
  const es = value.get('earlyStopping') === true;
  const esGiven = ES_SETTINGS.filter((s) => given.has(s.name));
  if (!es && esGiven.length > 0) {
    const names = ES_SETTINGS.map((s) => s.name);
    throw new SettingError(esGiven[0]!.name, `${names.slice(0, -1).join(', ')} and ${names.at(-1)} need earlyStopping`, [...names, 'earlyStopping']);
  }
  if (num('batchSize') > num('trainSize')) {
    throw new SettingError('batchSize', `batchSize ${num('batchSize')} is larger than the training set (trainSize ${num('trainSize')})`, ['trainSize']);
  }
  const monitor = value.get('earlyStopping.monitor') as string;
  if (es && monitor.startsWith('val') && num('valSize') === 0) {
    const what = monitor.endsWith('Acc') ? 'accuracy' : 'loss';
    throw new SettingError('valSize', `earlyStopping watches validation ${what}: give valSize N (e.g. valSize 1000)`, ['earlyStopping']);
  }
  if (es && monitor.startsWith('test') && num('testSize') === 0) {
    throw new SettingError('earlyStopping.monitor', `earlyStopping.monitor ${monitor} needs a test set (testSize > 0)`, ['testSize']);
  }
  const optimizer = value.get('optimizer');
  if (optimizer !== 'sgd' && num('momentum') !== 0) {
    throw new SettingError('momentum', `momentum applies only to optimizer sgd (${optimizer} keeps its own running means: beta1, beta2)`, ['optimizer', 'beta1', 'beta2']);
  }
  for (const name of ADAM_SETTINGS) {
    if (optimizer !== 'adam' && value.get(name) !== BY_NAME.get(name)!.default) throw new SettingError(name, `${name} applies only to optimizer adam`, ['optimizer']);
  }
  const config: Record<string, unknown> = {};
  for (const s of RUN_SETTINGS) if (!s.name.startsWith(ES_PREFIX)) config[s.name] = value.get(s.name);
  config.earlyStopping = es ? Object.fromEntries(ES_SETTINGS.map((s) => [s.name.slice(ES_PREFIX.length), value.get(s.name)])) : null;
  return config as unknown as RunConfig;
}

/** Every setting at its default (no early stopping). */
export const RUN_DEFAULTS: Readonly<RunConfig> = Object.freeze(validateRunConfig({}));

/** Saved settings (a checkpoint's or a model file's) as today's: a setting missing from them, added since, counts as its default. */
export function withRunDefaults(saved: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...RUN_DEFAULTS, ...saved };
}
