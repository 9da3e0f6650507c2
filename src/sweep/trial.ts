/**
 * One trial, run to its end: a `reglab train` run of the trial's settings, epoch by epoch, reporting the ranking
 * metric at each ASHA rung and stopping when pruned. What the local pool's threads and the queue's workers
 * both call. Never throws for a bad trial: settings that do not validate, data too small for them, or any
 * other bad input give a result with status 'failed' and the one-line reason. No I/O: works in the browser.
 */
import { failedResult } from './result.js';
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { ReglabError } from '../errors.js';
import { trainCommandLineOn } from '../experiments/command-line.js';
import { disposeRun, prepareRun, type PreparedRun, type RunConfig } from '../experiments/run.js';
import { validateRunConfig } from '../experiments/settings.js';
import type { EpochLogs, MetricName } from '../train/callbacks.js';
import { ashaDecision, ashaRungs, lowerIsBetter } from './asha.js';
import type { RungStore, TrialResult, TrialSpec } from './types.js';

export interface TrialContext {
  /** The dataset the trial's splits are cut from (loaded once per worker). */
  data: Dataset;
  /** The backend it computes on (the local pool: wasm, one thread). */
  backend: Backend;
  /** Where ASHA's rung records live (unused by the random scheduler). */
  rungs: RungStore;
  /** The worker's name, as results report it (e.g. `pool-1`, `host:pid`). */
  worker: string;
  /** Called after every epoch (progress lines, queue progress). */
  onEpoch?(logs: EpochLogs): void;
}

/** Why a metric cannot be measured by a run of these settings, or null when it can. */
export function metricProblem(metric: MetricName, c: Pick<RunConfig, 'valSize' | 'testSize'>): string | null {
  if (metric.startsWith('val') && c.valSize === 0) return `the ranking metric ${metric} needs validation data (valSize > 0)`;
  if (metric.startsWith('test') && c.testSize === 0) return `the ranking metric ${metric} needs test data (testSize > 0)`;
  return null;
}

/** The epoch whose metric is best (the first of equals), or null when no epoch measured it. */
export function bestEpochOf(history: readonly EpochLogs[], metric: MetricName): EpochLogs | null {
  const lower = lowerIsBetter(metric);
  let best: EpochLogs | null = null;
  for (const l of history) {
    const v = l[metric];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === null || (lower ? v < best[metric]! : v > best[metric]!)) best = l;
  }
  return best;
}

/** The `reglab train` command that reruns the trial alone: its settings, plus the data folder and backend when not the defaults. */
export function trialCommand(config: RunConfig, data: Dataset, backend: Backend): string {
  return trainCommandLineOn(config, data.source, backend.name);
}

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Runs one trial: validates spec.settings (the run-settings table's check, as `reglab train`'s flags get), builds the run on ctx.data
 * and ctx.backend, trains epoch by epoch, records the ranking metric at each ASHA rung in ctx.rungs and stops
 * the run there when pruned (status 'pruned'), and gives the run's buffers back. A run that diverges stops
 * there and counts as pruned (its reason in `error`). Resolves, never rejects, for bad input.
 */
export async function runTrial(spec: TrialSpec, ctx: TrialContext): Promise<TrialResult> {
  const t0 = performance.now();
  const result: TrialResult = failedResult(spec, ctx.worker);
  let run: PreparedRun | null = null;
  try {
    const config = validateRunConfig(spec.settings); // a job may come from anywhere: nothing is trusted
    result.command = trialCommand(config, ctx.data, ctx.backend);
    const problem = metricProblem(spec.metric, config);
    if (problem) throw new ReglabError(problem);
    run = prepareRun(ctx.data, config, ctx.backend);
    const { trainer } = run;
    const s = spec.scheduler;
    const rungs = s.kind === 'asha' ? ashaRungs(s.minEpochs, s.eta, s.maxEpochs) : [];
    let pruned = false;
    while (!trainer.done) {
      const logs = trainer.runEpoch();
      if (!logs) break;
      ctx.onEpoch?.(logs);
      if (s.kind === 'asha' && rungs.includes(logs.epoch) && !trainer.done) {
        const value = logs[spec.metric] ?? NaN;
        const recorded = Number.isFinite(value) ? await ctx.rungs.record(spec.sweepId, logs.epoch, spec.trial, value) : [];
        if (ashaDecision(recorded, value, s.eta, lowerIsBetter(spec.metric)) === 'prune') {
          trainer.stop('stopped', `pruned by ASHA at epoch ${logs.epoch}`);
          pruned = true;
        }
      } else {
        await nextTurn();
      }
    }
    const fit = trainer.finish();
    result.history = fit.history.map((l) => ({ ...l }));
    result.epochs = fit.epochs;
    result.status = pruned || fit.stopReason === 'diverged' ? 'pruned' : 'completed';
    if (fit.stopReason === 'diverged') result.error = fit.message;
    const best = bestEpochOf(result.history, spec.metric);
    if (best) {
      const { seconds: _s, ...metrics } = best;
      result.bestEpoch = best.epoch;
      result.value = best[spec.metric]!;
      result.metrics = metrics;
    }
  } catch (e) {
    result.status = 'failed';
    result.error = e instanceof ReglabError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
  } finally {
    if (run) disposeRun(run);
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
