/**
 * A search space: which run settings a sweep varies and how they are drawn, and the seeded sampler that turns
 * (space, sweep seed) into trials. Two spellings of one space:
 *
 *   text:  lr=1e-3..0.5:log,batch-size=8..256:pow2,dropout=0..0.6,l2=0|1e-4..1e-2:log,activation=relu|tanh
 *   JSON:  {"lr": "1e-3..0.5:log", "batch-size": {"min": 8, "max": 256, "scale": "pow2"},
 *           "l2": [0, {"min": 1e-4, "max": 1e-2, "scale": "log"}], "activation": ["relu", "tanh"]}
 *
 * A range is lo..hi with a scale: linear (none), :log (log-uniform), :pow2 (a power of two, each equally
 * likely), :int (an integer, each equally likely). Choices are separated by | (a JSON array), each equally
 * likely, and a choice may itself be a range. A lone value is a constant. Keys are `reglab train` flag names or
 * setting names. Continuous draws are rounded to 4 significant digits (short command lines; the number
 * written is the number trained with). Each setting's kind, range and flag are the run-settings table's
 * (experiments/settings.ts): values and range bounds are checked by its parseSettingValue and
 * checkSettingValue, so a space accepts what `reglab train` accepts. Pure: no I/O, works in the browser.
 */
import { exp, log } from '../backend/libm.js';
import { ConfigError, show } from '../errors.js';
import { checkSettingValue, parseSettingValue, settingByName, type RunSetting } from '../experiments/settings.js';
import { Rng } from '../rng/mt19937.js';
import type { ParamValue } from './types.js';

/** The settings a search space may vary, by name, in the order the help lists them. */
const SPACE_SETTINGS: readonly RunSetting[] = ['lr', 'batchSize', 'dropout', 'l2', 'momentum', 'activation', 'init', 'loss'].map((n) => settingByName(n)!);

/** The keys a space may name, as flags (for messages and help): lr, batch-size, dropout, ... */
export const SPACE_KEYS = SPACE_SETTINGS.map((s) => s.flag);

/** A space key (a `reglab train` flag name, with or without `--`, or a setting name) to its setting, or null. */
function spaceSettingOf(key: string): RunSetting | null {
  const k = key.startsWith('--') ? key.slice(2) : key;
  return SPACE_SETTINGS.find((s) => s.flag === k || s.name === k) ?? null;
}

export type Scale = 'linear' | 'log' | 'pow2' | 'int';
export const SCALES: readonly Scale[] = ['linear', 'log', 'pow2', 'int'];

export interface RangeDomain {
  kind: 'range';
  lo: number;
  hi: number;
  scale: Scale;
}

export type Domain = RangeDomain | { kind: 'value'; value: ParamValue } | { kind: 'choice'; options: (RangeDomain | { kind: 'value'; value: ParamValue })[] };

/** One varied setting: its RunConfig name and how it is drawn. */
export interface SpaceEntry {
  name: string;
  domain: Domain;
}

/** The space, in the order its keys were given (the order of the draws). */
export type SearchSpace = readonly SpaceEntry[];

const isPow2 = (x: number) => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0 && x <= 2 ** 30;

function fail(key: string, why: string): never {
  throw new ConfigError(`search space: ${key}: ${why}`);
}

/** The table's check of one value (a sweep varies numbers and words only), its refusal said of the key. */
function settingValue(key: string, check: () => unknown): ParamValue {
  try {
    return check() as ParamValue;
  } catch (e) {
    return fail(key, (e as Error).message);
  }
}

function checkRange(key: string, s: RunSetting, d: RangeDomain): RangeDomain {
  const { lo, hi, scale } = d;
  if (s.kind === 'choice') fail(key, `${s.name} is one of ${s.choices!.join(', ')}: give choices with |, not a range`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) fail(key, `range bounds must be numbers, got ${show(lo)}..${show(hi)}`);
  if (lo > hi) fail(key, `range ${lo}..${hi} has its low end above its high end`);
  if (lo === hi) fail(key, `range ${lo}..${hi} is empty (for a constant, write ${key}=${lo})`);
  if (scale === 'log' && lo <= 0) fail(key, `a :log range needs bounds > 0, got ${lo}..${hi}`);
  if (scale === 'pow2' && (!isPow2(lo) || !isPow2(hi))) fail(key, `a :pow2 range needs powers of two as bounds (1, 2, 4, 8, ...), got ${lo}..${hi}`);
  if (scale === 'int' && Math.ceil(lo) > Math.floor(hi)) fail(key, `range ${lo}..${hi} holds no integer`);
  if (s.kind === 'int' && scale !== 'int' && scale !== 'pow2') fail(key, `${s.name} is an integer: use :int or :pow2`);
  for (const v of [scale === 'int' ? Math.ceil(lo) : lo, scale === 'int' ? Math.floor(hi) : hi]) settingValue(key, () => checkSettingValue(s.name, v));
  return d;
}

function parseRange(key: string, s: RunSetting, text: string): RangeDomain {
  const parts = text.trim().split('..');
  if (parts.length !== 2) fail(key, `cannot read the range '${text.trim()}' (write lo..hi, lo..hi:log, lo..hi:pow2 or lo..hi:int)`);
  const [loText, rest] = parts as [string, string];
  const colon = rest.indexOf(':');
  const hiText = colon < 0 ? rest : rest.slice(0, colon);
  const scaleText = colon < 0 ? 'linear' : rest.slice(colon + 1).trim();
  const scale = scaleText as Scale;
  if (!SCALES.includes(scale) || (colon >= 0 && scaleText === 'linear')) fail(key, `unknown scale ':${scaleText}' (one of :log, :pow2, :int, or none for linear)`);
  const num = (t: string) => (/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(t) ? Number(t) : fail(key, `range bound '${t}' is not a number`));
  return checkRange(key, s, { kind: 'range', lo: num(loText), hi: num(hiText), scale });
}

function parseOption(key: string, s: RunSetting, text: string): RangeDomain | { kind: 'value'; value: ParamValue } {
  if (text.trim() === '') fail(key, 'an empty value');
  if (text.includes('..')) return parseRange(key, s, text);
  return { kind: 'value', value: settingValue(key, () => parseSettingValue(s.name, text)) };
}

function parseDomain(key: string, s: RunSetting, text: string): Domain {
  const parts = text.split('|');
  const options = parts.map((p) => parseOption(key, s, p));
  if (options.length === 1) return options[0]!;
  const values = options.filter((o) => o.kind === 'value').map((o) => String(o.value));
  if (new Set(values).size !== values.length) fail(key, `a choice is given twice in '${text}'`);
  return { kind: 'choice', options };
}

function entryOf(key: string, seen: Set<string>): RunSetting {
  const s = spaceSettingOf(key.trim());
  if (!s) fail(key, `not a setting a sweep can vary (one of ${SPACE_KEYS.join(', ')})`);
  if (seen.has(s.name)) fail(key, `${s.name} is given twice`);
  seen.add(s.name);
  return s;
}

/** Parses the text form; throws a ConfigError naming the key and what is wrong. */
export function parseSpace(text: string): SearchSpace {
  if (text.trim() === '') throw new ConfigError('search space: empty (e.g. lr=1e-3..0.5:log,batch-size=8..256:pow2)');
  const seen = new Set<string>();
  return text.split(',').map((item) => {
    const eq = item.indexOf('=');
    if (eq < 0) fail(item.trim() || '(empty)', `expected key=values, got '${item.trim()}'`);
    const key = item.slice(0, eq).trim();
    const s = entryOf(key, seen);
    return { name: s.name, domain: parseDomain(key, s, item.slice(eq + 1)) };
  });
}

function jsonOption(key: string, s: RunSetting, v: unknown): RangeDomain | { kind: 'value'; value: ParamValue } {
  if (typeof v === 'string') return parseOption(key, s, v);
  if (typeof v === 'number' || typeof v === 'boolean') return { kind: 'value', value: settingValue(key, () => checkSettingValue(s.name, v)) };
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['min', 'max', 'scale'].includes(k)) fail(key, `unknown field ${show(k)} (a range is {"min", "max", "scale"})`);
    const scale = o.scale ?? 'linear';
    if (!SCALES.includes(scale as Scale)) fail(key, `unknown scale ${show(scale)} (one of ${SCALES.join(', ')})`);
    if (typeof o.min !== 'number' || typeof o.max !== 'number') fail(key, `a range needs numbers min and max, got ${show(o.min)} and ${show(o.max)}`);
    return checkRange(key, s, { kind: 'range', lo: o.min, hi: o.max, scale: scale as Scale });
  }
  return fail(key, `cannot read ${show(v)} (a value, "lo..hi:scale", {"min", "max", "scale"} or a list of choices)`);
}

/** Parses the JSON form (the text of a file); throws a ConfigError naming the key and what is wrong. */
export function parseSpaceJson(text: string): SearchSpace {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`search space: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError('search space: expected a JSON object of setting: values');
  const seen = new Set<string>();
  const entries = Object.entries(doc as Record<string, unknown>).map(([key, v]): SpaceEntry => {
    const s = entryOf(key, seen);
    if (typeof v === 'string') return { name: s.name, domain: parseDomain(key, s, v) };
    if (!Array.isArray(v)) return { name: s.name, domain: jsonOption(key, s, v) };
    if (v.length === 0) fail(key, 'an empty list of choices');
    const options = v.map((o) => jsonOption(key, s, o));
    const values = options.filter((o) => o.kind === 'value').map((o) => String(o.value));
    if (new Set(values).size !== values.length) fail(key, 'a choice is given twice');
    return { name: s.name, domain: options.length === 1 ? options[0]! : { kind: 'choice', options } };
  });
  if (entries.length === 0) throw new ConfigError('search space: empty');
  return entries;
}

/** The space as canonical text (the text form), e.g. for the sweep's id and its report. */
export function spaceText(space: SearchSpace): string {
  const opt = (d: RangeDomain | { kind: 'value'; value: ParamValue }) => (d.kind === 'value' ? String(d.value) : `${d.lo}..${d.hi}${d.scale === 'linear' ? '' : ':' + d.scale}`);
  return space.map((e) => `${e.name}=${e.domain.kind === 'choice' ? e.domain.options.map(opt).join('|') : opt(e.domain)}`).join(',');
}

const round4 = (x: number) => Number(x.toPrecision(4));

function drawRange(d: RangeDomain, rng: Rng): number {
  const { lo, hi } = d;
  switch (d.scale) {
    case 'linear':
      return Math.min(hi, Math.max(lo, round4(lo + rng.random() * (hi - lo))));
    case 'log':
      return Math.min(hi, Math.max(lo, round4(exp(log(lo) + rng.random() * (log(hi) - log(lo))))));
    case 'int': {
      const a = Math.ceil(lo);
      return a + rng.randint(Math.floor(hi) - a + 1);
    }
    case 'pow2': {
      const a = Math.round(Math.log2(lo));
      return 2 ** (a + rng.randint(Math.round(Math.log2(hi)) - a + 1));
    }
  }
}

function draw(d: Domain, rng: Rng): ParamValue {
  if (d.kind === 'value') return d.value;
  if (d.kind === 'range') return drawRange(d, rng);
  const o = d.options[rng.randint(d.options.length)]!;
  return o.kind === 'value' ? o.value : drawRange(o, rng);
}

export interface SampledTrial {
  trial: number;
  params: Record<string, ParamValue>;
  /** The trial's own run seed. */
  seed: number;
}

/**
 * The first n trials of a sweep: one generator seeded with the sweep's seed draws, trial after trial, each
 * setting in the space's order and then the trial's run seed. So the same seed draws the same trials, and
 * trial k is the same whatever n is.
 */
export function sampleTrials(space: SearchSpace, n: number, seed: number): SampledTrial[] {
  const rng = new Rng(seed);
  const out: SampledTrial[] = [];
  for (let trial = 0; trial < n; trial++) {
    const params: Record<string, ParamValue> = {};
    for (const e of space) params[e.name] = draw(e.domain, rng);
    out.push({ trial, params, seed: rng.nextUint32() });
  }
  return out;
}
