/**
 * Runs side by side, as the Keras "Overfit and underfit" tutorial tabulates them: for each run, the settings
 * that differ from the first run's, its best test accuracy and that epoch, its final test and train
 * accuracy, the gap between them and the final test loss. Pure (the lab renders it; the report can too).
 */
import type { EpochLogs } from '../train/callbacks.js';
import { bestTestEpoch } from './curves.js';

export interface CompareRun {
  name: string;
  /** The run's settings by name (a setting's value as it would be typed). */
  settings: Readonly<Record<string, string | number | boolean>>;
  history: ReadonlyArray<Omit<EpochLogs, 'seconds'>>;
}

export interface CompareRow {
  name: string;
  /** The settings whose value differs from the first run's, in the first run's key order (then new keys). */
  differs: { key: string; value: string | number | boolean }[];
  /** Undefined when the run never had a test pass. */
  bestTestAcc?: number;
  bestTestEpoch?: number;
  /** At the last epoch with a test pass. */
  finalTestAcc?: number;
  testLoss?: number;
  /** At the last epoch. */
  finalTrainAcc?: number;
  /** finalTrainAcc - finalTestAcc. */
  gap?: number;
}

export function compareRows(runs: readonly CompareRun[]): CompareRow[] {
  const first = runs[0]?.settings ?? {};
  return runs.map((run) => {
    const keys = [...new Set([...Object.keys(first), ...Object.keys(run.settings)])];
    const differs = keys.filter((k) => k in run.settings && String(run.settings[k]) !== String(first[k])).map((k) => ({ key: k, value: run.settings[k]! }));
    const row: CompareRow = { name: run.name, differs };
    const best = bestTestEpoch(run.history);
    if (best !== undefined) {
      row.bestTestEpoch = best;
      row.bestTestAcc = run.history.find((h) => h.epoch === best)!.testAcc!;
    }
    const lastTest = [...run.history].reverse().find((h) => h.testAcc !== undefined);
    if (lastTest) {
      row.finalTestAcc = lastTest.testAcc!;
      if (lastTest.testLoss !== undefined) row.testLoss = lastTest.testLoss;
    }
    const last = run.history.at(-1);
    if (last) row.finalTrainAcc = last.trainAcc;
    if (row.finalTrainAcc !== undefined && row.finalTestAcc !== undefined) row.gap = row.finalTrainAcc - row.finalTestAcc;
    return row;
  });
}
