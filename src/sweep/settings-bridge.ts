/**
 * The sweep's one bridge to the run settings, until the table of settings (experiments/settings.ts) lands:
 * every use of "settings" in the sweep goes through this file, so swapping it for the table is one file's
 * work. It holds the flag <-> setting-name map for the settings a search space may name, the checks of a
 * setting's value (the same ranges as `reglab train`'s flags), text -> value parsing, and trialRunConfig(), the
 * one check of a trial's whole settings object (it may come from another machine: nothing is trusted).
 * Messages speak of settings by name; the CLI adds flags where it needs them. Pure: works in the browser.
 */
import { ConfigError, show } from '../errors.js';
import { RUN_DEFAULTS, resolveRunConfig, type RunConfig } from '../experiments/run.js';
import { LOSS_NAMES } from '../nn/losses.js';
import { METRIC_NAMES } from '../train/callbacks.js';
import type { ParamValue } from './types.js';

/** What a search space may vary: numbers (real or integer) and words. */
export type SettingKind =
  | { type: 'number'; min: number; max: number; maxExclusive?: boolean; minExclusive?: boolean }
  | { type: 'int'; min: number; max: number }
  | { type: 'choice'; choices: readonly string[] };

export interface SpaceSetting {
  /** The RunConfig key. */
  name: keyof RunConfig & string;
  /** The `reglab train` flag, without dashes. */
  flag: string;
  kind: SettingKind;
}

/** The settings a search space may name, with `reglab train`'s ranges for them. */
export const SPACE_SETTINGS: readonly SpaceSetting[] = Object.freeze([
  { name: 'lr', flag: 'lr', kind: { type: 'number', min: 0, max: 1e6, minExclusive: true } },
  { name: 'batchSize', flag: 'batch-size', kind: { type: 'int', min: 1, max: 1 << 24 } },
  { name: 'dropout', flag: 'dropout', kind: { type: 'number', min: 0, max: 1, maxExclusive: true } },
  { name: 'l2', flag: 'l2', kind: { type: 'number', min: 0, max: 1e6 } },
  { name: 'momentum', flag: 'momentum', kind: { type: 'number', min: 0, max: 1, maxExclusive: true } },
  { name: 'activation', flag: 'activation', kind: { type: 'choice', choices: ['relu', 'sigmoid', 'tanh'] } },
  { name: 'init', flag: 'init', kind: { type: 'choice', choices: ['uniform', 'he', 'glorot'] } },
  { name: 'loss', flag: 'loss', kind: { type: 'choice', choices: LOSS_NAMES } },
] as SpaceSetting[]);

/** A space key (a `reglab train` flag name, with or without `--`, or a setting name) to its setting, or null. */
export function spaceSettingOf(key: string): SpaceSetting | null {
  const k = key.startsWith('--') ? key.slice(2) : key;
  return SPACE_SETTINGS.find((s) => s.flag === k || s.name === k) ?? null;
}

/** The flag of a setting name (any RunConfig key), for messages the CLI prints. */
export function flagOf(name: string): string {
  const s = SPACE_SETTINGS.find((x) => x.name === name);
  if (s) return s.flag;
  return name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

function rangeText(k: Extract<SettingKind, { type: 'number' }>): string {
  return `${k.minExclusive ? '(' : '['}${k.min}, ${k.max}${k.maxExclusive ? ')' : ']'}`;
}

/** Why value is not a valid value of the setting, or null when it is. */
export function settingValueProblem(s: SpaceSetting, value: unknown): string | null {
  const k = s.kind;
  switch (k.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${show(value)}`;
      if (value < k.min || value > k.max || (k.maxExclusive && value === k.max) || (k.minExclusive && value === k.min)) return `must be in ${rangeText(k)}, got ${value}`;
      return null;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `must be an integer, got ${show(value)}`;
      if (value < k.min || value > k.max) return `must be between ${k.min} and ${k.max}, got ${value}`;
      return null;
    case 'choice':
      if (typeof value !== 'string' || !k.choices.includes(value)) return `must be one of ${k.choices.join(', ')}, got ${show(value)}`;
      return null;
  }
}

/** A setting's value from text (a space's constant or choice), checked; throws a ConfigError naming the setting. */
export function parseSettingValue(s: SpaceSetting, text: string): ParamValue {
  const t = text.trim();
  const value: ParamValue = s.kind.type === 'choice' ? t : t === '' ? NaN : Number(t);
  const problem = settingValueProblem(s, value);
  if (problem) throw new ConfigError(`${s.name} ${problem.replace(/got .*$/, `got '${text}'`)}`);
  return value;
}

/** Every RunConfig key's check, for a whole settings object from a trial (a job may come from anywhere). */
const INT_LIMITS: Partial<Record<keyof RunConfig, [number, number]>> = {
  trainSize: [1, 1 << 24],
  valSize: [0, 1 << 24],
  testSize: [0, 1 << 24],
  epochs: [1, 1_000_000],
  evalEvery: [1, 1_000_000],
  seed: [0, 0xffffffff],
};

function checkEarlyStopping(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return `must be null or an object, got ${show(v)}`;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined) continue;
    if (k === 'patience' && !(Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 1_000_000)) return `patience must be an integer from 0 to 1000000, got ${show(x)}`;
    else if (k === 'minDelta' && !(typeof x === 'number' && Number.isFinite(x) && x >= 0)) return `minDelta must be a number >= 0, got ${show(x)}`;
    else if (k === 'monitor' && !(METRIC_NAMES as readonly unknown[]).includes(x)) return `monitor must be one of ${METRIC_NAMES.join(', ')}, got ${show(x)}`;
    else if (k === 'mode' && !['auto', 'min', 'max'].includes(x as string)) return `mode must be auto, min or max, got ${show(x)}`;
    else if (k === 'startFromEpoch' && !(Number.isInteger(x) && (x as number) >= 0)) return `startFromEpoch must be an integer >= 0, got ${show(x)}`;
    else if (k === 'restoreBestWeights' && typeof x !== 'boolean') return `restoreBestWeights must be true or false, got ${show(x)}`;
    else if (!['patience', 'minDelta', 'monitor', 'mode', 'startFromEpoch', 'restoreBestWeights'].includes(k)) return `has an unknown field ${show(k)}`;
  }
  return null;
}

/**
 * A trial's complete run settings, checked as `reglab train` checks its flags: an object of known settings
 * only, each of the right type and in range; then resolved with the defaults. Throws a ConfigError naming the
 * first bad setting. (To become the table's validateRunConfig.)
 */
export function trialRunConfig(settings: unknown): RunConfig {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new ConfigError(`trial settings: not an object (${show(settings)})`);
  const bad = (name: string, why: string): never => {
    throw new ConfigError(`setting ${name} ${why}`);
  };
  for (const [name, v] of Object.entries(settings as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(RUN_DEFAULTS, name)) bad(show(name), 'is not a run setting');
    const space = SPACE_SETTINGS.find((s) => s.name === name);
    const limits = INT_LIMITS[name as keyof RunConfig];
    let problem: string | null = null;
    if (space) problem = settingValueProblem(space, v);
    else if (limits) problem = Number.isInteger(v) && (v as number) >= limits[0] && (v as number) <= limits[1] ? null : `must be an integer from ${limits[0]} to ${limits[1]}, got ${show(v)}`;
    else if (name === 'hidden') problem = Array.isArray(v) && v.length <= 64 && v.every((u) => Number.isInteger(u) && u >= 1 && u <= 1 << 16) ? null : `must be a list of integers from 1 to 65536, got ${show(v)}`;
    else if (name === 'bias' || name === 'shuffle') problem = typeof v === 'boolean' ? null : `must be true or false, got ${show(v)}`;
    else if (name === 'earlyStopping') problem = checkEarlyStopping(v);
    if (problem) bad(name, problem);
  }
  const c = resolveRunConfig(settings as Partial<RunConfig>);
  if (c.earlyStopping && (c.earlyStopping.monitor ?? 'valLoss').startsWith('val') && c.valSize === 0) bad('earlyStopping', 'watches a validation metric: valSize must be > 0');
  if (c.earlyStopping?.monitor?.startsWith('test') && c.testSize === 0) bad('earlyStopping', 'watches a test metric: testSize must be > 0');
  return c;
}
