/**
 * The sweep's shared vocabulary: what a trial is, what it reports, and the two seams a sweep runs through:
 * where trials run (an Executor: a pool of threads on this machine, or a queue of workers across machines)
 * and where ASHA's rung records live (a RungStore: memory, or Redis). Everything here is plain data, because a
 * trial crosses threads, processes and machines.
 */
import type { RunConfig } from '../experiments/run.js';
import type { EpochLogs, MetricName } from '../train/callbacks.js';

/** A sampled setting's value. */
export type ParamValue = number | string | boolean;

/** How trials are stopped early. */
export type SchedulerConfig =
  /** Every trial trains all its epochs. */
  | { kind: 'random' }
  /**
   * Asynchronous successive halving, the stopping variant (Li et al. 2018): rungs at minEpochs * eta^k below
   * maxEpochs; a trial that reaches a rung continues only if it is in the top floor(n / eta) of the n values
   * recorded there so far (one record per trial id).
   */
  | { kind: 'asha'; eta: number; minEpochs: number; maxEpochs: number };

/** One trial, as handed to whatever runs it. */
export interface TrialSpec {
  /** The sweep's id, derived from its seed, space and shared settings: a worker refuses trials of another sweep's queue. */
  sweepId: string;
  /** 0-based trial number within the sweep. */
  trial: number;
  /** The sampled settings, by setting name (RunConfig keys: lr, batchSize, dropout, l2, ...). */
  params: Record<string, ParamValue>;
  /** The run's own seed, drawn from the sweep's seed. */
  seed: number;
  /**
   * The trial's complete run settings (the shared ones, the params and the seed): what the runner validates
   * exactly as `reglab train` validates its flags, trusting nothing.
   */
  settings: Partial<RunConfig>;
  /** The ranking metric; higher is better for accuracies, lower for losses. */
  metric: MetricName;
  scheduler: SchedulerConfig;
}

export type TrialStatus = 'completed' | 'pruned' | 'failed';

/** What a finished trial reports (one line of trials.jsonl, plus its history for trials/<n>.metrics.jsonl). */
export interface TrialResult {
  trial: number;
  params: Record<string, ParamValue>;
  seed: number;
  status: TrialStatus;
  /** Epochs trained. */
  epochs: number;
  /** The epoch with the best ranking metric, or null when none was measured (a failed trial). */
  bestEpoch: number | null;
  /** The ranking metric's name and its value at bestEpoch (null when none). */
  metric: MetricName;
  value: number | null;
  /** Every metric at bestEpoch (the epoch's logs without `seconds`). */
  metrics: Partial<Omit<EpochLogs, 'seconds'>>;
  seconds: number;
  /** Which worker ran it (e.g. `pool-1`, `host:pid`). */
  worker: string;
  /** The exact `reglab train` command line that reproduces the trial alone. */
  command: string;
  /** Why a trial failed (one line). */
  error?: string;
  /** Every epoch's logs, as `reglab train --metrics` writes them. */
  history: EpochLogs[];
}

/**
 * Where ASHA's records live. record() stores `value` as trial's record at `rung` (replacing an earlier record of
 * the same trial: a retried trial never competes with itself) and returns every value recorded at that rung so
 * far, this one included.
 */
export interface RungStore {
  record(sweepId: string, rung: number, trial: number, value: number): Promise<readonly number[]>;
}

/** Runs one trial to its end somewhere; resolves to its result (a failed trial resolves with status 'failed'). */
export type Executor = (spec: TrialSpec) => Promise<TrialResult>;
