/**
 * The `reglab train` command line that reruns a RunConfig exactly: every field that differs from
 * RUN_DEFAULTS becomes its flag, and the seed is always written. Used by the report and the web lab
 * ("the same run from the command line"). Pure.
 */
import { EARLY_STOPPING_DEFAULTS } from '../train/early-stopping.js';
import { RUN_DEFAULTS, type RunConfig } from './run.js';

export function trainCommandLine(c: Readonly<RunConfig>): string {
  const d = RUN_DEFAULTS;
  const flags: string[] = ['reglab train'];
  const add = (flag: string, value: unknown, dflt: unknown) => {
    if (String(value) !== String(dflt)) flags.push(`--${flag} ${String(value)}`);
  };
  add('train-size', c.trainSize, d.trainSize);
  add('val-size', c.valSize, d.valSize);
  add('test-size', c.testSize, d.testSize);
  add('hidden', c.hidden.join(','), d.hidden.join(','));
  add('activation', c.activation, d.activation);
  add('dropout', c.dropout, d.dropout);
  add('loss', c.loss, d.loss);
  add('init', c.init, d.init);
  if (!c.bias) flags.push('--no-bias');
  add('epochs', c.epochs, d.epochs);
  add('lr', c.lr, d.lr);
  add('batch-size', c.batchSize, d.batchSize);
  add('momentum', c.momentum, d.momentum);
  add('l2', c.l2, d.l2);
  if (!c.shuffle) flags.push('--no-shuffle');
  add('eval-every', c.evalEvery, d.evalEvery);
  if (c.earlyStopping) {
    flags.push('--early-stopping');
    const given = Object.fromEntries(Object.entries(c.earlyStopping).filter(([, v]) => v !== undefined));
    const es = { ...EARLY_STOPPING_DEFAULTS, ...given };
    add('patience', es.patience, EARLY_STOPPING_DEFAULTS.patience);
    add('min-delta', es.minDelta, EARLY_STOPPING_DEFAULTS.minDelta);
    add('monitor', es.monitor, EARLY_STOPPING_DEFAULTS.monitor);
  }
  flags.push(`--seed ${c.seed}`);
  return flags.join(' ');
}
