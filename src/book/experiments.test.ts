import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../data/files.js';
import { BOOK_EXPERIMENTS, bookPrintsAt, formatBookLine, runBookExperiment, type BookExperimentName, type BookRunOptions } from './experiments.js';

const dataset = loadDataset();

async function lines(name: BookExperimentName, options: Omit<BookRunOptions, 'dataset'>): Promise<string[]> {
  const out: string[] = [];
  await runBookExperiment(name, { ...options, dataset, onLine: (line) => out.push(line) });
  return out;
}

// The book's batch printout, I:0 to I:140, from the seed notes (../shared/seed/000_91cf36509d81beea.txt); the
// notes cut the last line short, so it is compared as a prefix.
const SEED_BATCH_LINES = [
  'I:0 Test-Err:0.815 Test-Acc:0.3832 Train-Err:1.284 Train-Acc:0.165',
  'I:10 Test-Err:0.568 Test-Acc:0.7173 Train-Err:0.591 Train-Acc:0.672',
  'I:20 Test-Err:0.510 Test-Acc:0.7571 Train-Err:0.532 Train-Acc:0.729',
  'I:30 Test-Err:0.485 Test-Acc:0.7793 Train-Err:0.498 Train-Acc:0.754',
  'I:40 Test-Err:0.468 Test-Acc:0.7877 Train-Err:0.489 Train-Acc:0.749',
  'I:50 Test-Err:0.458 Test-Acc:0.793 Train-Err:0.468 Train-Acc:0.775',
  'I:60 Test-Err:0.452 Test-Acc:0.7995 Train-Err:0.452 Train-Acc:0.799',
  'I:70 Test-Err:0.446 Test-Acc:0.803 Train-Err:0.453 Train-Acc:0.792',
  'I:80 Test-Err:0.451 Test-Acc:0.7968 Train-Err:0.457 Train-Acc:0.786',
  'I:90 Test-Err:0.447 Test-Acc:0.795 Train-Err:0.454 Train-Acc:0.799',
  'I:100 Test-Err:0.448 Test-Acc:0.793 Train-Err:0.447 Train-Acc:0.796',
  'I:110 Test-Err:0.441 Test-Acc:0.7943 Train-Err:0.426 Train-Acc:0.816',
  'I:120 Test-Err:0.442 Test-Acc:0.7966 Train-Err:0.431 Train-Acc:0.813',
  'I:130 Test-Err:0.441 Test-Acc:0.7906 Train-Err:0.434 Train-Acc:0.816',
  'I:140 Test-Err:0.447 Test-Acc:0.7874 Train-Err:0',
];

test("book batch prints the seed's 15 lines, I:0 to I:140, digit for digit", async () => {
  const got = await lines('batch', { epochs: 141 });
  assert.equal(got.length, 15);
  assert.deepEqual(got.slice(0, 14), SEED_BATCH_LINES.slice(0, 14));
  assert.ok(got[14]!.startsWith(SEED_BATCH_LINES[14]!), got[14]);
});

// First lines of the book's overfit and dropout code and of their --fixed versions, as numpy prints them
// (scripts/book_numpy.py on the same MNIST files).
for (const backend of ['wasm', 'ref'] as const) {
  test(`book overfit and dropout print numpy's first lines (${backend})`, async () => {
    assert.deepEqual(await lines('overfit', { epochs: 1, backend }), ['I:0 Train-Err:0.722 Train-Acc:0.537 Test-Err:0.601 Test-Acc:0.6488']);
    assert.deepEqual(await lines('dropout', { epochs: 1, backend }), ['I:0 Test-Err:0.641 Test-Acc:0.6333 Train-Err:0.891 Train-Acc:0.413']);
  });

  test(`book --fixed prints the numpy fix, line for line (${backend})`, async () => {
    assert.deepEqual(await lines('overfit', { epochs: 1, fixed: true, backend }), ['I:0 Train-Err:0.729 Train-Acc:0.527 Test-Err:0.593 Test-Acc:0.6493']);
    assert.deepEqual(await lines('batch', { epochs: 11, fixed: true, backend }), [
      'I:0 Test-Err:0.825 Test-Acc:0.3747 Train-Err:1.276 Train-Acc:0.153',
      'I:10 Test-Err:0.544 Test-Acc:0.7255 Train-Err:0.582 Train-Acc:0.66',
    ]);
  });
}

test('the fast path prints the reference path\'s lines and summary, every experiment, as printed and --fixed', async () => {
  for (const name of ['overfit', 'dropout', 'batch'] as const) {
    for (const fixed of [false, true]) {
      const epochs = name === 'batch' ? 11 : 2; // overfit also prints its last iteration
      const got: string[] = [];
      const want: string[] = [];
      const a = await runBookExperiment(name, { dataset, epochs, fixed, backend: 'wasm', onLine: (l) => got.push(l) });
      const b = await runBookExperiment(name, { dataset, epochs, fixed, backend: 'ref', onLine: (l) => want.push(l) });
      assert.ok(got.length >= 1);
      assert.deepEqual(got, want, `${name} fixed ${fixed}`);
      assert.deepEqual({ ...a, seconds: 0 }, { ...b, seconds: 0 }, `${name} fixed ${fixed}`);
    }
  }
});

test('the summary: best printed test accuracy, final numbers after the last iteration', async () => {
  const rows: number[] = [];
  let trainedAfter = -1;
  const s = await runBookExperiment('batch', { dataset, epochs: 2, onLine: (_, row) => rows.push(row.testAcc), onTrained: () => (trainedAfter = rows.length) });
  assert.deepEqual(rows, [0.3832]); // only I:0 is printed
  assert.equal(trainedAfter, 1, 'onTrained comes after the last printed line');
  assert.equal(s.bestTestAcc, 0.3832);
  assert.equal(s.bestTestIteration, 0);
  assert.equal(s.iterations, 2);
  assert.equal(s.fixed, false);
  // After I:1 (tested once more, unprinted): between the book's I:0 and I:10.
  assert.ok(s.finalTestAcc > 0.3832 && s.finalTestAcc < 0.7173, `final test acc ${s.finalTestAcc}`);
  assert.ok(s.finalTrainAcc > 0.165 && s.finalTrainAcc < 0.672, `final train acc ${s.finalTrainAcc}`);
  assert.ok(Number.isFinite(s.seconds) && s.seconds >= 0, 'seconds is a duration');
});

test('when the book prints, and in which column order', () => {
  const printed = (name: BookExperimentName, n: number) =>
    Array.from({ length: n }, (_, j) => j).filter((j) => bookPrintsAt(BOOK_EXPERIMENTS[name], j, n));
  assert.equal(printed('overfit', 350).length, 36);
  assert.deepEqual(printed('overfit', 350).slice(-2), [340, 349]);
  assert.equal(printed('dropout', 300).length, 30);
  assert.deepEqual(printed('batch', 300).slice(-1), [290]);
  const row = { iteration: 349, trainErr: 0.10849, trainAcc: 1, testErr: 0.65381, testAcc: 0.7073 };
  assert.equal(formatBookLine(row, 'train-first'), 'I:349 Train-Err:0.108 Train-Acc:1.0 Test-Err:0.653 Test-Acc:0.7073');
  assert.equal(formatBookLine(row, 'test-first'), 'I:349 Test-Err:0.653 Test-Acc:0.7073 Train-Err:0.108 Train-Acc:1.0');
});

test('bad experiment names and epochs are refused', async () => {
  await assert.rejects(runBookExperiment('nope' as BookExperimentName, { dataset }), /unknown book experiment/);
  await assert.rejects(runBookExperiment('batch', { dataset, epochs: 0 }), /epochs must be a positive integer/);
  await assert.rejects(runBookExperiment('batch', { dataset, epochs: 1, backend: 'gpu' as 'ref' }), /backend must be ref or wasm/);
});
