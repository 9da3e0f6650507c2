/**
 * The sweep loop: the trials of a space (seeded), those not done yet run through an Executor with at most
 * `concurrency` in flight, every result ranked. Where trials run (threads here, a queue across machines, a
 * lab's workers) is the Executor's business. No Node imports: usable in the browser.
 */
import { failedResult } from './result.js';
import { ConfigError } from '../errors.js';
import type { RunConfig } from '../experiments/run.js';
import { crc32 } from '../io/crc32.js';
import type { MetricName } from '../train/callbacks.js';
import { lowerIsBetter } from './asha.js';
import { sampleTrials, spaceText, type SearchSpace } from './space.js';
import type { Executor, SchedulerConfig, TrialResult, TrialSpec } from './types.js';

export interface SweepOptions {
  space: SearchSpace;
  /** How many trials. */
  trials: number;
  /** The sweep's seed: it draws every trial's settings and run seed. */
  seed: number;
  scheduler: SchedulerConfig;
  /** The ranking metric. */
  metric: MetricName;
  /** The settings every trial shares (those the space does not vary). */
  settings: Partial<RunConfig>;
  /** Runs one trial somewhere. */
  execute: Executor;
  /** At most this many trials in flight. Default 1 (trials in order: ASHA is then deterministic). */
  concurrency?: number;
  /** Results of trials already finished (resume): not run again, ranked with the rest. */
  done?: readonly TrialResult[];
  /** Checked before each trial starts: once true, no more start (those in flight end as their executor ends them). */
  stop?(): boolean;
  /** Called as each trial starts and ends. */
  onStart?(spec: TrialSpec): void;
  onResult?(result: TrialResult): void;
}

export interface SweepResult {
  sweepId: string;
  /** Every trial's result, best first (see rankResults). */
  results: TrialResult[];
}

/**
 * The sweep's id: a CRC-32 of its seed, space, shared settings, metric and scheduler, so that a resumed sweep
 * (or a worker) can tell a sweep's trials from another's. Letters and digits only (a queue's job ids).
 */
export function sweepIdOf(o: Pick<SweepOptions, 'space' | 'seed' | 'scheduler' | 'metric' | 'settings'>): string {
  const canon = JSON.stringify([spaceText(o.space), o.seed, o.metric, o.scheduler, Object.entries(o.settings).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return 's' + crc32(new TextEncoder().encode(canon)).toString(16).padStart(8, '0');
}

/** The sweep's trials as specs: the shared settings, each trial's params over them, its run seed. */
export function makeTrialSpecs(o: Pick<SweepOptions, 'space' | 'trials' | 'seed' | 'scheduler' | 'metric' | 'settings'>): TrialSpec[] {
  if (!(Number.isInteger(o.trials) && o.trials >= 1)) throw new ConfigError(`trials must be an integer >= 1, got ${o.trials}`);
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) throw new ConfigError(`the sweep's seed must be an integer from 0 to 4294967295, got ${o.seed}`);
  for (const e of o.space) if (Object.prototype.hasOwnProperty.call(o.settings, e.name) && o.settings[e.name as keyof RunConfig] !== undefined) {
    throw new ConfigError(`setting ${e.name} is both in the search space and a shared setting`);
  }
  const sweepId = sweepIdOf(o);
  return sampleTrials(o.space, o.trials, o.seed).map((t) => ({
    sweepId,
    trial: t.trial,
    params: t.params,
    seed: t.seed,
    settings: { ...o.settings, ...(t.params as Partial<RunConfig>), seed: t.seed },
    metric: o.metric,
    scheduler: o.scheduler,
  }));
}

/**
 * Best first: completed and pruned trials by their ranking metric (higher is better for accuracies, lower for
 * losses), then those without a value (failed); equals by trial number.
 */
export function rankResults(results: readonly TrialResult[], metric: MetricName): TrialResult[] {
  const lower = lowerIsBetter(metric);
  return [...results].sort((a, b) => {
    const va = a.value;
    const vb = b.value;
    if (va === null || vb === null) return va === vb ? a.trial - b.trial : va === null ? 1 : -1;
    if (va !== vb) return lower ? va - vb : vb - va;
    return a.trial - b.trial;
  });
}


/** Runs a sweep to its end; resolves to every trial's result, ranked. */
export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const specs = makeTrialSpecs(o);
  const sweepId = specs[0]!.sweepId;
  const concurrency = o.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new ConfigError(`concurrency must be an integer >= 1, got ${concurrency}`);
  const results = new Map<number, TrialResult>();
  for (const r of o.done ?? []) if (r.trial < o.trials) results.set(r.trial, r);
  const todo = specs.filter((s) => !results.has(s.trial));
  let next = 0;
  const lane = async () => {
    while (next < todo.length && !o.stop?.()) {
      const spec = todo[next++]!;
      o.onStart?.(spec);
      let r: TrialResult;
      try {
        r = await o.execute(spec);
      } catch (e) {
        r = failedResult(spec, '', `the trial was lost: ${(e as Error)?.message ?? String(e)}`); // its executor rejected instead of resolving
      }
      results.set(r.trial, r);
      o.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, lane));
  return { sweepId, results: rankResults([...results.values()], o.metric) };
}
