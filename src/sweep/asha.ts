/**
 * Asynchronous successive halving, the stopping variant (Li et al. 2018/2020): the resource is epochs; rungs
 * sit at minEpochs * eta^k below maxEpochs; a trial reaching a rung records its ranking metric there and goes
 * on only if it is among the best floor(n / eta) of the n values recorded at that rung so far.
 *
 * The first arrivals (n < eta, so floor(n / eta) = 0): a trial goes on only if its value is at least as good as
 * every value recorded there (so the very first arrival always goes on). This is Optuna's rule for the first
 * eta - 1 arrivals; Ray's (let every early arrival on) trains more, ours prunes an early trial that is already
 * beaten. Ties count for the trial: a value is pruned only if floor(n / eta) recorded values (or, early, any)
 * are strictly better. A value that is not finite (NaN from divergence, infinities) is pruned and not recorded.
 *
 * Decisions use rungs that are still filling, so the outcome depends on the order of arrival: with trials run
 * one at a time (sweep's concurrency 1), arrivals come in trial order and the sweep is deterministic.
 */
import { ConfigError } from '../errors.js';
import type { MetricName } from '../train/callbacks.js';
import type { RungStore } from './types.js';

/** Whether a smaller value of the metric is better (losses). */
export function lowerIsBetter(metric: MetricName): boolean {
  return metric.endsWith('Loss');
}

/** The rungs (epoch counts) of ASHA: minEpochs * eta^k for k = 0, 1, ... while below maxEpochs. */
export function ashaRungs(minEpochs: number, eta: number, maxEpochs: number): number[] {
  if (!(Number.isInteger(eta) && eta >= 2)) throw new ConfigError(`ASHA's eta must be an integer >= 2, got ${eta}`);
  if (!(Number.isInteger(minEpochs) && minEpochs >= 1)) throw new ConfigError(`ASHA's minEpochs must be an integer >= 1, got ${minEpochs}`);
  if (!(Number.isInteger(maxEpochs) && maxEpochs >= 1)) throw new ConfigError(`ASHA's maxEpochs must be an integer >= 1, got ${maxEpochs}`);
  const rungs: number[] = [];
  for (let r = minEpochs; r < maxEpochs; r *= eta) rungs.push(r);
  return rungs;
}

export type RungDecision = 'continue' | 'prune';

/**
 * ASHA's decision for a trial whose value is `value`, given every value recorded at the rung so far (this one
 * included, as RungStore.record returns them). Pure.
 */
export function ashaDecision(recorded: readonly number[], value: number, eta: number, lowerBetter: boolean): RungDecision {
  if (!Number.isFinite(value)) return 'prune';
  const better = (a: number) => (lowerBetter ? a < value : a > value);
  const beaten = recorded.filter((a) => Number.isFinite(a) && better(a)).length;
  const keep = Math.floor(recorded.length / eta);
  if (keep === 0) return beaten === 0 ? 'continue' : 'prune';
  return beaten < keep ? 'continue' : 'prune';
}

/**
 * Rung records in memory: one record per (sweep, rung, trial); a retried trial's record replaces its earlier
 * one. The local pool keeps it in the main thread; its threads ask it by message.
 */
export class MemoryRungStore implements RungStore {
  private readonly rungs = new Map<string, Map<number, number>>();

  async record(sweepId: string, rung: number, trial: number, value: number): Promise<readonly number[]> {
    return this.recordNow(sweepId, rung, trial, value);
  }

  /** record(), synchronously (for replaying finished trials on resume, and for tests). */
  recordNow(sweepId: string, rung: number, trial: number, value: number): readonly number[] {
    const key = `${sweepId}/${rung}`;
    let m = this.rungs.get(key);
    if (!m) this.rungs.set(key, (m = new Map()));
    m.set(trial, value);
    return [...m.values()];
  }
}
