/**
 * Which epochs' weights the lab keeps for its epoch scrubber. Every epoch of a run of the default size
 * (784-100-10, 20 epochs: 79,510 float32 parameters, 6.4 MB in all); a run whose snapshots would pass the
 * budget keeps every stride-th epoch (and the page always has the final weights).
 */

/** What one run's snapshots may take in memory: 64 MB (e.g. 784-100-10 for 200 epochs, every epoch). */
export const SNAPSHOT_BUDGET_BYTES = 64 * 1024 * 1024;

/** Keep the snapshot of epoch e when e % stride === 0 (stride 1: every epoch). */
export function snapshotStride(paramCount: number, epochs: number, budgetBytes = SNAPSHOT_BUDGET_BYTES): number {
  const perEpoch = 4 * paramCount;
  const fits = Math.max(1, Math.floor(budgetBytes / perEpoch));
  return Math.max(1, Math.ceil(epochs / fits));
}
