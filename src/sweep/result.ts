/** The result of a trial that ended without training: the one shape every runner starts from or falls back to. */
import type { TrialResult, TrialSpec } from './types.js';

/** A failed trial with no epochs; `error` (one line) when the reason is known. */
export function failedResult(spec: TrialSpec, worker: string, error?: string): TrialResult {
  return {
    trial: spec.trial,
    params: spec.params,
    seed: spec.seed,
    status: 'failed',
    epochs: 0,
    bestEpoch: null,
    metric: spec.metric,
    value: null,
    metrics: {},
    seconds: 0,
    worker,
    command: '',
    ...(error === undefined ? {} : { error: error.split('\n')[0]! }),
    history: [],
  };
}
