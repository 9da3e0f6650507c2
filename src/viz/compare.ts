/**
 * The compare table of runs, shared by the HTML report and the web lab (pure, no imports but types, so the
 * report can inline it): per run, the settings that differ from the first run's, the best test accuracy and
 * its epoch, and the final model's test accuracy, train accuracy, gap and test loss, as the chapter's table
 * prints them.
 */
import type { EpochLogs } from '../train/callbacks.js';

/** What the table needs of a run (a report's RunRecord and the lab's runs both have it). */
export interface CompareRun {
  name: string;
  /** The run's settings, compared key by key with the first run's (values compared as JSON). */
  config: Readonly<Record<string, unknown>>;
  history: ReadonlyArray<Omit<EpochLogs, 'seconds'>>;
  /** With early stopping that restored its best weights: that epoch, whose model the run ends with. */
  earlyStoppingEpoch?: number;
  /**
   * The final model measured after training (the report has it): its test numbers and, when measured, its
   * accuracy on the training images in eval mode. Without it, the final epoch's logs are used.
   */
  final?: { testAcc: number; testLoss: number; trainAcc?: number };
}

/** A setting that differs from the first run's, as text. */
export interface ChangedSetting {
  key: string;
  value: string;
  first: string;
}

export interface CompareRow {
  name: string;
  /** Settings that differ from the first run's (empty for the first run), in the first run's key order. */
  changed: ChangedSetting[];
  bestTestAcc: number | null;
  bestTestEpoch: number | null;
  /** The epoch the final model comes from: the early-stopping epoch, else the last. */
  finalEpoch: number | null;
  finalTestAcc: number | null;
  /** In eval mode when the run measured it (final.trainAcc), else as trained (the final epoch's trainAcc). */
  finalTrainAcc: number | null;
  /** Whether finalTrainAcc is the eval-mode measurement (no dropout) rather than the as-trained running one. */
  trainAccInEvalMode: boolean;
  /** finalTrainAcc - finalTestAcc. */
  gap: number | null;
  testLoss: number | null;
}

/** A setting's value as short text: lists joined by commas, null as 'none', objects as k=v pairs. */
export function settingText(v: unknown): string {
  if (v === undefined) return '–';
  if (v === null) return 'none';
  if (Array.isArray(v)) return v.map(settingText).join(',');
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${settingText(x)}`).join(' ');
  return String(v);
}

function changedSettings(config: Readonly<Record<string, unknown>>, first: Readonly<Record<string, unknown>>): ChangedSetting[] {
  const keys = [...Object.keys(first), ...Object.keys(config).filter((k) => !(k in first))];
  return keys
    .filter((k) => JSON.stringify(config[k]) !== JSON.stringify(first[k]))
    .map((k) => ({ key: k, value: settingText(config[k]), first: settingText(first[k]) }));
}

export function compareRows(runs: readonly CompareRun[]): CompareRow[] {
  const first = runs[0]?.config ?? {};
  return runs.map((run) => {
    let best: Omit<EpochLogs, 'seconds'> | undefined;
    for (const h of run.history) if (h.testAcc !== undefined && (best === undefined || h.testAcc > best.testAcc!)) best = h;
    const last = run.history[run.history.length - 1];
    const kept = (run.earlyStoppingEpoch ? run.history.find((h) => h.epoch === run.earlyStoppingEpoch) : undefined) ?? last;
    const finalTestAcc = run.final?.testAcc ?? kept?.testAcc ?? null;
    const evalTrain = run.final?.trainAcc;
    const finalTrainAcc = evalTrain ?? kept?.trainAcc ?? null;
    return {
      name: run.name,
      changed: run === runs[0] ? [] : changedSettings(run.config, first),
      bestTestAcc: best?.testAcc ?? null,
      bestTestEpoch: best?.epoch ?? null,
      finalEpoch: kept?.epoch ?? null,
      finalTestAcc,
      finalTrainAcc,
      trainAccInEvalMode: evalTrain !== undefined,
      gap: finalTrainAcc !== null && finalTestAcc !== null ? finalTrainAcc - finalTestAcc : null,
      testLoss: run.final?.testLoss ?? kept?.testLoss ?? null,
    };
  });
}
