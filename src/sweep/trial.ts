/**
 * PROVISIONAL (branch `queue`): a stand-in for the sweep branch's runTrial, with its documented shape, so that
 * the queue's worker can be built and tested before that lands. It validates a trial's settings as
 * `reglab train` does (through its own flag parser: the command line round trip), trains every epoch (no ASHA)
 * and reports the result. Replaced by the sweep branch's src/sweep/trial.ts on merge.
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { ConfigError, ReglabError, show } from '../errors.js';
import { trainCommandLine } from '../experiments/command-line.js';
import { disposeRun, prepareRun, resolveRunConfig, RUN_DEFAULTS, runToEnd, type RunConfig } from '../experiments/run.js';
import { parseTrainFlags } from '../cli/train.js';
import type { EpochLogs } from '../train/callbacks.js';
import type { RungStore, TrialResult, TrialSpec } from './types.js';

export interface TrialContext {
  data: Dataset;
  backend: Backend;
  rungs: RungStore;
  /** Which worker runs it, for TrialResult.worker. */
  worker: string;
}

/** The trial's settings checked as `reglab train` checks its flags: a ConfigError for anything else. */
function checkedSettings(settings: unknown): RunConfig {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new ConfigError('a trial needs its settings');
  for (const [k, v] of Object.entries(settings)) {
    const d = (RUN_DEFAULTS as unknown as Record<string, unknown>)[k];
    if (!(k in RUN_DEFAULTS)) throw new ConfigError(`unknown setting ${show(k)}`);
    const ok = k === 'hidden' ? Array.isArray(v) && v.every(Number.isInteger) : k === 'earlyStopping' ? v === null : typeof v === typeof d && (typeof v !== 'string' || /^[\w.-]+$/.test(v));
    if (!ok) throw new ConfigError(`setting ${k}: bad value ${show(v)}`);
  }
  return parseTrainFlags(trainCommandLine(resolveRunConfig(settings as Partial<RunConfig>)).split(' ').slice(2))!.config;
}

export async function runTrial(spec: TrialSpec, ctx: TrialContext): Promise<TrialResult> {
  const started = Date.now();
  const base = { trial: spec.trial, params: spec.params, seed: spec.seed, metric: spec.metric, worker: ctx.worker };
  let config: RunConfig;
  try {
    config = checkedSettings(spec.settings);
  } catch (e) {
    if (!(e instanceof ReglabError)) throw e;
    return { ...base, status: 'failed', epochs: 0, bestEpoch: null, value: null, metrics: {}, seconds: 0, command: '', error: e.message, history: [] };
  }
  const run = prepareRun(ctx.data, config, ctx.backend);
  try {
    const { result } = runToEnd(run);
    const higher = spec.metric.endsWith('Acc');
    let best: EpochLogs | null = null;
    for (const l of result.history) {
      const v = l[spec.metric];
      if (v !== undefined && (best === null || (higher ? v > best[spec.metric]! : v < best[spec.metric]!))) best = l;
    }
    const { seconds: _s, ...metrics } = best ?? ({} as Partial<EpochLogs>);
    return {
      ...base,
      status: 'completed',
      epochs: result.epochs,
      bestEpoch: best?.epoch ?? null,
      value: best?.[spec.metric] ?? null,
      metrics,
      seconds: (Date.now() - started) / 1000,
      command: trainCommandLine(config),
      history: result.history,
    };
  } finally {
    disposeRun(run);
  }
}
