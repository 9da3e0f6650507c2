/**
 * A sweep's --out folder: sweep.json (what the sweep is, with its id), trials.jsonl (one line per finished
 * trial, keyed by trial id: a trial reported twice is recorded once), trials/<n>.metrics.jsonl (the lines
 * `reglab train --metrics` writes) and report.html. Every file is written atomically; a trial's metrics file is
 * written before its line, so a line always has its metrics. Resuming reads them back. While a sweep has the
 * folder open, sweep.lock says so, and a second sweep into it is refused (exit 2) instead of overwriting lines.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps } from '../io/atomic.js';
import { lockFolder, type FolderLock } from '../io/folder-lock.js';
import { ConfigError } from '../errors.js';
import type { EpochLogs } from '../train/callbacks.js';
import type { TrialResult } from '../sweep/types.js';
import { checkOutputPath, writeOutput } from './common.js';
import { metricsLines } from './epoch-lines.js';

/** What sweep.json holds: enough to tell this sweep from another (the id) and to say what it was. */
export interface SweepManifest {
  sweepId: string;
  space: string;
  trials: number;
  seed: number;
  metric: string;
  scheduler: unknown;
  settings: unknown;
  /** The backend its trials train on (not in the id, which older sweeps keep; a resume must use the same one). */
  backend?: string;
}

/** A trials.jsonl line: the result without its history, fields in TrialResult's order. */
export function trialLine(r: TrialResult): Omit<TrialResult, 'history'> {
  return {
    trial: r.trial,
    params: r.params,
    seed: r.seed,
    status: r.status,
    epochs: r.epochs,
    bestEpoch: r.bestEpoch,
    metric: r.metric,
    value: r.value,
    metrics: r.metrics,
    seconds: r.seconds,
    worker: r.worker,
    command: r.command,
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

export const trialMetricsPath = (dir: string, trial: number) => join(dir, 'trials', `${trial}.metrics.jsonl`);

export class SweepOut {
  private readonly lines = new Map<number, TrialResult>();

  private constructor(
    readonly dir: string,
    private readonly lock: FolderLock,
  ) {}

  /** Lets go of the folder (also done when the process exits). */
  close(): void {
    this.lock.release();
  }

  /**
   * Checks the folder before any work and opens it: a new sweep needs a folder without a sweep in it; --resume
   * needs the same sweep's folder (or none yet). Returns the folder and the finished trials found in it
   * (completed or pruned; failed trials run again).
   */
  static open(dir: string, manifest: SweepManifest, resume: boolean): { out: SweepOut; done: TrialResult[] } {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`--out ${dir}: exists and is not a folder`);
    checkOutputPath(join(dir, 'sweep.json'), 'out');
    const out = new SweepOut(dir, lockFolder(dir, 'sweep.lock', `--out ${dir}`));
    try {
      return { out, done: out.load(manifest, resume) };
    } catch (e) {
      out.close();
      throw e;
    }
  }

  /** Writes or checks sweep.json and reads back the finished trials (open's work once the folder is locked). */
  private load(manifest: SweepManifest, resume: boolean): TrialResult[] {
    const { dir } = this;
    const manifestPath = join(dir, 'sweep.json');
    const has = existsSync(manifestPath) || existsSync(join(dir, 'trials.jsonl'));
    for (const f of ['sweep.json', 'trials.jsonl', 'report.html']) removeStaleTemps(join(dir, f));
    if (!has) {
      writeOutput(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
      return [];
    }
    if (!resume) throw new ConfigError(`--out ${dir} already holds a sweep: add --resume to continue it, or name another folder`);
    let saved: Partial<SweepManifest> = {};
    try {
      saved = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<SweepManifest>;
      if (typeof saved?.sweepId !== 'string') throw new Error('no sweep id'); // not a sweep's manifest
    } catch {
      throw new ConfigError(`--out ${dir}: sweep.json is missing or unreadable, so this cannot be checked to be the same sweep`);
    }
    if (saved.sweepId !== manifest.sweepId) {
      throw new ConfigError(`--out ${dir} holds another sweep (${String(saved.sweepId)}, this one is ${manifest.sweepId}): resume needs the same --space, --seed, --metric, --scheduler and train flags`);
    }
    if (saved.backend !== undefined && manifest.backend !== undefined && saved.backend !== manifest.backend) {
      throw new ConfigError(`--out ${dir}: its trials trained on the ${String(saved.backend)} backend; resume it with --backend ${String(saved.backend)} (this one is ${manifest.backend}), so that one sweep's numbers come from one backend`);
    }
    writeOutput(manifestPath, JSON.stringify(manifest, null, 2) + '\n'); // the same id; --trials may have grown
    const done = this.readDone();
    for (const r of done) this.lines.set(r.trial, r);
    return done.filter((r) => r.status !== 'failed');
  }

  /** The trials recorded in trials.jsonl whose line and metrics file both read back whole. */
  private readDone(): TrialResult[] {
    const path = join(this.dir, 'trials.jsonl');
    if (!existsSync(path)) return [];
    const done: TrialResult[] = [];
    for (const text of readFileSync(path, 'utf8').split('\n')) {
      if (text.trim() === '') continue;
      try {
        const line = JSON.parse(text) as Omit<TrialResult, 'history'>;
        if (!Number.isInteger(line.trial) || line.trial < 0) continue;
        const history = readFileSync(trialMetricsPath(this.dir, line.trial), 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as EpochLogs);
        if (history.length !== line.epochs) continue;
        done.push({ ...line, history });
      } catch {
        // A line or metrics file that does not read back: the trial runs again.
      }
    }
    return done;
  }

  /** Records a finished trial (again: replaces its line). */
  record(r: TrialResult): void {
    writeOutput(trialMetricsPath(this.dir, r.trial), metricsLines(r.history));
    this.lines.set(r.trial, r);
    const text = [...this.lines.values()]
      .sort((a, b) => a.trial - b.trial)
      .map((x) => JSON.stringify(trialLine(x)) + '\n')
      .join('');
    writeOutput(join(this.dir, 'trials.jsonl'), text);
  }
}
