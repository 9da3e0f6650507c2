/**
 * Flag parsing for every command: node:util parseArgs in strict mode (unknown flags and missing values are
 * refused), then typed conversion with range checks. Every problem becomes a ConfigError, which the CLI
 * prints as one line and exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseFlags(argv: string[], options: Options, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals, allowNegative: false } as ParseArgsConfig);
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    // "Option '--epochs <value>' argument missing", or "... argument is ambiguous" when the next word is a flag.
    const missing = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(msg);
    if (missing?.[2] === 'missing') throw new ConfigError(`${missing[1]} needs a value`);
    if (missing) throw new ConfigError(`${missing[1]} needs a value (for a value that starts with a dash, write ${missing[1]}=VALUE)`);
    throw new ConfigError(msg);
  }
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An integer flag in [min, max]; undefined when absent. */
export function intFlag(values: Parsed['values'], name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const s = str(values[name]);
  if (s === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(s.trim())) throw new ConfigError(`--${name} must be an integer, got '${s}'`);
  const v = Number(s);
  if (v < min || v > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${s}`);
  return v;
}

/** A number flag in [min, max] (maxExclusive: [min, max)); undefined when absent. */
export function numFlag(values: Parsed['values'], name: string, min: number, max = Infinity, maxExclusive = false): number | undefined {
  const s = str(values[name]);
  if (s === undefined) return undefined;
  const v = s.trim() === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new ConfigError(`--${name} must be a number, got '${s}'`);
  if (v < min || v > max || (maxExclusive && v === max)) {
    throw new ConfigError(`--${name} must be in [${min}, ${max}${maxExclusive ? ')' : ']'}, got ${s}`);
  }
  return v;
}

/** A comma-separated list of positive integers (e.g. --hidden 128,64). */
export function intListFlag(values: Parsed['values'], name: string, max = 1 << 16): number[] | undefined {
  const s = str(values[name]);
  if (s === undefined) return undefined;
  const parts = s.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > max)) {
    throw new ConfigError(`--${name} must be a comma-separated list of integers from 1 to ${max}, got '${s}'`);
  }
  return parts.map(Number);
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(values: Parsed['values'], name: string, choices: readonly T[]): T | undefined {
  const s = str(values[name]);
  if (s === undefined) return undefined;
  if (!choices.includes(s as T)) throw new ConfigError(`--${name} must be one of ${choices.join(', ')}, got '${s}'`);
  return s as T;
}

export function strFlag(values: Parsed['values'], name: string): string | undefined {
  const s = str(values[name]);
  if (s !== undefined && s.trim() === '') throw new ConfigError(`--${name} needs a value`);
  return s;
}
