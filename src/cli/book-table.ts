/** `reglab chapter8 --book`: the book's own code, as printed and --fixed, beside reglab's runs of the same idea. */
import { BOOK_EXPERIMENT_NAMES, runBookExperiment, type BookExperimentName, type BookSummary } from '../book/experiments.js';
import type { Dataset } from '../data/dataset.js';
import type { Chapter8Result } from '../experiments/chapter8.js';

/** Which reglab chapter8 experiment each book experiment sits beside. */
export const BOOK_TO_CHAPTER8: Readonly<Record<BookExperimentName, string>> = Object.freeze({
  overfit: 'overfit',
  dropout: 'dropout',
  batch: 'minibatch',
});

/** Runs each book experiment as printed and --fixed (about 8 minutes of CPU for all six). */
export async function runBookSideBySide(dataset: Dataset, onRun?: (s: BookSummary) => void): Promise<BookSummary[]> {
  const out: BookSummary[] = [];
  for (const name of BOOK_EXPERIMENT_NAMES) {
    for (const fixed of [false, true]) {
      const s = await runBookExperiment(name, { dataset, fixed });
      out.push(s);
      onRun?.(s);
    }
  }
  return out;
}

const pct = (x: number) => (100 * x).toFixed(1);

/** One row per book experiment: best test accuracy (and when), final test accuracy, for book, --fixed, reglab. */
export function bookSideBySideTable(book: readonly BookSummary[], reglab: readonly Chapter8Result[]): string {
  const cell = (best: number, at: number, final: number) => `${pct(best)} @${at}, ${pct(final)}`;
  const head = ['experiment', 'book (best @I, final)', 'book --fixed', 'reglab (best @epoch, final)'];
  const rows = BOOK_EXPERIMENT_NAMES.map((name) => {
    const find = (fixed: boolean) => book.find((s) => s.experiment === name && s.fixed === fixed);
    const asPrinted = find(false);
    const fixed = find(true);
    const r = reglab.find((x) => x.name === BOOK_TO_CHAPTER8[name]);
    return [
      `${name} / ${BOOK_TO_CHAPTER8[name]}`,
      asPrinted ? cell(asPrinted.bestTestAcc, asPrinted.bestTestIteration, asPrinted.finalTestAcc) : '-',
      fixed ? cell(fixed.bestTestAcc, fixed.bestTestIteration, fixed.finalTestAcc) : '-',
      r ? cell(r.bestTestAcc, r.bestEpoch, r.finalTestAcc) : '-',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
