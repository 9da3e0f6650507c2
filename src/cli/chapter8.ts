/** `reglab chapter8`: the chapter's experiments on real MNIST, a comparison table, summary.json and metrics. */
import { join } from 'node:path';
import type { Command } from './command.js';
import { parseFlags, strFlag } from './args.js';
import { BACKEND_HELP, BACKEND_OPTIONS, checkOutputPath, cliBackend, loadData, writeOutput } from './common.js';
import { metricsLines } from './epoch-lines.js';
import { ProgressCallback } from './progress.js';
import { CHAPTER8_EXPERIMENTS, runChapter8Experiment, type Chapter8Result } from '../experiments/chapter8.js';
import { ConfigError } from '../errors.js';
import { splitData } from '../experiments/run.js';
import { trainCommandLineOn } from '../experiments/command-line.js';
import { confusionOfPredictions, recordRun, type RunRecord } from '../report/record.js';
import { writeReport } from '../report/write.js';
import type { Dataset } from '../data/dataset.js';
import type { StopReason } from '../train/trainer.js';
import { bookSideBySideTable, runBookSideBySide } from './book-table.js';
import type { BookSummary } from '../book/experiments.js';

const HELP = `usage: reglab chapter8 [--out DIR] [--only NAME,...] [--data DIR] [--backend ref|wasm] [--threads N] [--book]

Runs the chapter's experiments on real MNIST (1,000 training images, 784-100-10, softmax cross-entropy):
${CHAPTER8_EXPERIMENTS.map((e) => `  ${e.name.padEnd(15)} ${e.title}`).join('\n')}
then prints one comparison table and writes DIR/report.html (curves, weights, errors; opens offline),
DIR/summary.json and DIR/<experiment>.metrics.jsonl (default DIR: runs/chapter8).

--book also runs the book's own code for overfit, dropout and batch, as printed and with its two bugs
mended (reglab book, reglab book --fixed), and puts them beside reglab's runs (about 8 more minutes of CPU).

${BACKEND_HELP}`;

const pct = (x: number) => (100 * x).toFixed(1).padStart(5);

export function chapter8Table(results: readonly Chapter8Result[]): string {
  const head = ['experiment', 'best test', 'at epoch', 'final test', 'test loss', 'final train', 'gap', 'epochs', 'seconds'];
  const rows = results.map((r) => [
    r.name,
    pct(r.bestTestAcc),
    String(r.bestEpoch),
    pct(r.finalTestAcc),
    r.finalTestLoss.toFixed(3),
    pct(r.finalTrainAcc),
    pct(r.gap),
    String(r.epochs),
    r.seconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function describeResult(r: Chapter8Result): string {
  const notes: string[] = [];
  const min = r.history.filter((l) => l.testLoss !== undefined).reduce((a, b) => (b.testLoss! < a.testLoss! ? b : a), r.history[0]!);
  if (r.name === 'overfit' && min.testLoss !== undefined) {
    const last = [...r.history].reverse().find((l) => l.testLoss !== undefined)!;
    notes.push(`test loss bottoms out at ${min.testLoss.toFixed(3)} (epoch ${min.epoch}) and ends at ${last.testLoss!.toFixed(3)}: the net learns the noise`);
  }
  if (r.restoredEpoch !== null) notes.push(`stopped after epoch ${r.epochs}, weights of epoch ${r.restoredEpoch} restored`);
  if (r.ensemble) {
    const mean = r.ensemble.memberAcc.reduce((a, b) => a + b, 0) / r.ensemble.memberAcc.length;
    notes.push(`members ${r.ensemble.memberAcc.map(pct).join(',')} (mean ${pct(mean)}); the vote ${pct(r.ensemble.acc)}`);
  }
  return notes.join('; ');
}

/**
 * The report's view of one experiment. For the ensemble, the final accuracy, loss, confusion matrix and
 * misclassified digits are the vote's; the curves and weight pictures are its first member's (said so).
 */
export function chapter8Record(r: Chapter8Result, data: Dataset, backendName = 'wasm'): RunRecord {
  const test = splitData(data, r.config).test;
  const note = describeResult(r) + (r.ensemble ? `; curves and weights: member 1 (seed ${r.config.seed})` : '');
  const rec = recordRun({
    name: r.name,
    description: r.title + (note ? ` (${note.replace(/^; /, '')})` : ''),
    config: { ...r.config, ...(r.ensemble ? { ensembleSeeds: CHAPTER8_EXPERIMENTS.find((e) => e.name === r.name)?.ensembleSeeds } : {}) },
    ...(r.ensemble ? {} : { command: trainCommandLineOn(r.config, data.source, backendName) }),
    model: r.model,
    result: { history: r.history, stopReason: r.stopReason as StopReason },
    ...(test ? { test } : {}),
    ...(r.restoredEpoch !== null ? { earlyStopping: { bestEpoch: r.restoredEpoch, stoppedEpoch: r.stopReason === 'early-stopping' ? r.epochs : 0 } } : {}),
  });
  if (rec.final) rec.final.trainAcc = r.finalTrainAcc; // the chapter table's: eval mode, the final model
  if (r.ensemble && r.ensembleVotes && test) {
    const c = confusionOfPredictions(r.ensembleVotes.predicted, r.ensembleVotes.meanProbs, test, r.model.outputSize, 30);
    rec.confusion = c.confusion;
    rec.misclassified = c.misclassified;
    rec.final = { testLoss: r.ensemble.loss, testAcc: r.ensemble.acc, testCount: test.count, trainAcc: r.finalTrainAcc };
  }
  return rec;
}

export const command: Command = {
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      out: { type: 'string' },
      only: { type: 'string' },
      data: { type: 'string' },
      book: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...BACKEND_OPTIONS,
    });
    if (v.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const out = strFlag(v, 'out') ?? join('runs', 'chapter8');
    const only = strFlag(v, 'only')?.split(',').map((s) => s.trim());
    const known = CHAPTER8_EXPERIMENTS.map((e) => e.name);
    for (const name of only ?? []) if (!known.includes(name)) throw new ConfigError(`--only: unknown experiment '${name}' (one of ${known.join(', ')})`);
    const experiments = CHAPTER8_EXPERIMENTS.filter((e) => !only || only.includes(e.name));
    checkOutputPath(join(out, 'summary.json'), 'out'); // a bad --out fails now, not after the first experiment
    const data = loadData(strFlag(v, 'data'));
    const backend = await cliBackend(v);
    process.stdout.write(`reglab chapter8: ${experiments.length} experiments on ${data.source} (${backend.name} backend, ${backend.dtype})\n`);
    const results: Chapter8Result[] = [];
    const t0 = performance.now();
    // On a terminal, a live bar under each experiment's line (epoch, batch, ETA, loss, accuracies); piped, the
    // line alone with its time at the end.
    const tty = process.stdout.isTTY === true;
    for (const exp of experiments) {
      process.stdout.write(`  ${exp.name}: ${exp.title}${tty ? '\n' : ' ...'}`);
      const bars = () => (tty ? [new ProgressCallback({ epochLine: () => null, table: false, bar: true })] : []);
      const r = runChapter8Experiment(data, exp, backend, bars);
      results.push(r);
      writeOutput(join(out, `${r.name}.metrics.jsonl`), metricsLines(r.history));
      process.stdout.write(tty ? `    ${r.seconds.toFixed(1)} s\n` : ` ${r.seconds.toFixed(1)} s\n`);
      const note = describeResult(r);
      if (note) process.stdout.write(`    ${note}\n`);
    }
    let book: BookSummary[] | null = null;
    if (v.book) {
      process.stdout.write("  the book's code, as printed and --fixed (float64, MNIST's first 1,000 images):\n");
      book = await runBookSideBySide(data, (s) =>
        process.stdout.write(`    book ${s.experiment}${s.fixed ? ' --fixed' : ''}: ${s.seconds.toFixed(1)} s\n`),
      );
    }
    const summary = {
      date: new Date().toISOString(),
      data: data.source,
      backend: `${backend.name} ${backend.dtype}`,
      seconds: (performance.now() - t0) / 1000,
      experiments: results.map(({ model: _m, history: _h, ensembleVotes: _v, ...rest }) => rest),
      ...(book ? { book } : {}),
    };
    writeOutput(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    const report = writeReport(out, results.map((r) => chapter8Record(r, data, backend.name)), {
      title: 'reglab: chapter 8, learning the signal and ignoring the noise',
      subtitle: `${data.source}, ${backend.name} backend (${backend.dtype}), ${summary.date.slice(0, 10)}`,
    });
    process.stdout.write('\n' + chapter8Table(results) + '\n\n');
    process.stdout.write(`accuracies in %; final = the model as training ends (early stopping: the restored best epoch); train accuracy in eval mode; gap = final train - final test; test loss = the final model's mean cross-entropy on the test set (ensemble: of the members' averaged probabilities)\nwritten to ${join(out, 'summary.json')}\n`);
    process.stdout.write(`report: ${report}\n`);
    if (book) {
      process.stdout.write("\nthe book's code beside reglab's (test accuracy in %: best @ when, final):\n");
      process.stdout.write(bookSideBySideTable(book, results) + '\n');
    }
    for (const r of results) r.model.dispose();
    return 0;
  },
};
