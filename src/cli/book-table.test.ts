import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BookSummary } from '../book/experiments.js';
import { BOOK_QUIRKS, FIXED_QUIRKS } from '../book/book-model.js';
import type { Chapter8Result } from '../experiments/chapter8.js';
import { bookSideBySideTable } from './book-table.js';

function summary(experiment: BookSummary['experiment'], fixed: boolean, best: number, at: number, final: number): BookSummary {
  return { experiment, fixed, quirks: fixed ? FIXED_QUIRKS : BOOK_QUIRKS, iterations: 300, bestTestAcc: best, bestTestIteration: at, finalTestAcc: final, finalTestErr: 0.4, finalTrainAcc: 0.9, finalTrainErr: 0.3, seconds: 1 };
}

test('the side-by-side table pairs book, --fixed and reglab runs per experiment', () => {
  const book = [summary('batch', false, 0.803, 70, 0.7972), summary('batch', true, 0.85, 120, 0.8401), summary('overfit', false, 0.8114, 10, 0.7073)];
  const reglab = [{ name: 'minibatch', bestTestAcc: 0.86, bestEpoch: 200, finalTestAcc: 0.855 } as Chapter8Result];
  const lines = bookSideBySideTable(book, reglab).split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^experiment +book \(best @I, final\) +book --fixed +reglab/);
  assert.match(lines[2]!, /^overfit \/ overfit +81\.1 @10, 70\.7 +- +-$/);
  assert.match(lines[3]!, /^dropout \/ dropout +- +- +-$/);
  assert.match(lines[4]!, /^batch \/ minibatch +80\.3 @70, 79\.7 +85\.0 @120, 84\.0 +86\.0 @200, 85\.5$/);
});
