/**
 * The run settings as `reglab train` flags, all generated from the engine's one table (RUN_SETTINGS): the
 * parseArgs options, the help lines, the flag of each setting, flags to a checked RunConfig, and the
 * translation of the engine's setting names into flags in its error messages.
 */
import { SettingError } from '../errors.js';
import { RUN_SETTINGS, parseSettingValue, validateRunConfig, type HelpGroup, type RunConfig, type RunSetting, type SettingValue } from '../experiments/settings.js';
import type { Options, Parsed } from './args.js';

/** parseArgs options of every run setting: bools are switches (`--no-bias`, `--early-stopping`), the rest take a value. */
export const RUN_FLAG_OPTIONS: Options = Object.fromEntries(RUN_SETTINGS.map((s) => [s.flag, { type: s.kind === 'bool' ? 'boolean' : 'string' }]));

/** `--flag` by setting name (dotted when nested). */
export const FLAG_OF: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(RUN_SETTINGS.map((s) => [s.name, `--${s.flag}`])));

const METAVAR: Record<RunSetting['kind'], string> = { int: 'N', number: 'X', intList: 'LIST', choice: 'NAME', bool: '' };

/** The switch sets the setting to this (a `no-...` switch turns a default-on setting off). */
const switchValue = (s: RunSetting) => !s.flag.startsWith('no-');

function helpLine(s: RunSetting): string {
  const metavar = s.kind === 'bool' ? '' : ` ${s.metavar ?? METAVAR[s.kind]}`;
  const text = (v: SettingValue) => (Array.isArray(v) ? v.join(',') : String(v));
  const other = s.defaultIf ? `; ${text(s.defaultIf.value)} with ${FLAG_OF[s.defaultIf.setting]} ${text(s.defaultIf.equals)}` : '';
  const dflt = s.kind === 'bool' ? '' : ` (default ${text(s.default)}${s.defaultNote ?? ''}${other})`;
  return `  ${`--${s.flag}${metavar}`.padEnd(20)} ${s.doc}${dflt}`;
}

/** The help lines of one group's settings, defaults from the table. */
export function runFlagsHelp(group: HelpGroup): string {
  return RUN_SETTINGS.filter((s) => s.group === group).map(helpLine).join('\n');
}

/** The engine's message with each setting it names written as its flag. */
export function flagMessage(e: SettingError): string {
  const names = [...new Set([e.setting, ...e.mentions])].filter((n) => FLAG_OF[n]).sort((a, b) => b.length - a.length);
  let msg = e.message;
  for (const n of names) msg = msg.replace(new RegExp(`(?<![\\w.-])${n.replace('.', '\\.')}(?![\\w]|\\.\\w)`, 'g'), FLAG_OF[n]!);
  return msg;
}

/** An error as the CLI reports it: a SettingError in flags' words (still a SettingError: exit 2), anything else as is. */
export function inFlagTerms(e: unknown): unknown {
  return e instanceof SettingError ? new SettingError(e.setting, flagMessage(e)) : e;
}

/** The RunConfig parsed flags mean: each given flag's text through the table's parser, then validateRunConfig. */
export function runConfigFromFlags(values: Parsed['values']): RunConfig {
  try {
    const given: Record<string, unknown> = {};
    for (const s of RUN_SETTINGS) {
      const v = values[s.flag];
      if (s.kind === 'bool') {
        if (v === true) given[s.name] = switchValue(s);
      } else if (typeof v === 'string') {
        given[s.name] = parseSettingValue(s.name, v);
      }
    }
    return validateRunConfig(given);
  } catch (e) {
    throw inFlagTerms(e);
  }
}
