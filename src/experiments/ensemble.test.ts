/** The ensemble's vote, its loss, and the report's record of it: on real MNIST, three small nets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refBackend } from '../backend/ref.js';
import { loadDataset } from '../data/files.js';
import { confusionOfPredictions } from '../report/record.js';
import { evaluate, forEachPrediction } from '../train/evaluate.js';
import { ensembleVote } from './ensemble.js';
import { resolveRunConfig, runExperiment } from './run.js';

test('ensembleVote: majority of the members, loss of their averaged probabilities, a confusion matrix that adds up', () => {
  const data = loadDataset();
  const backend = refBackend('float32');
  const config = resolveRunConfig({ trainSize: 300, testSize: 500, hidden: [20], epochs: 3, lr: 0.01, batchSize: 10 });
  const runs = [1, 2, 3].map((seed) => runExperiment(data, { ...config, seed }, backend));
  const test = runs[0]!.splits.test!;
  const models = runs.map((r) => r.model);
  const vote = ensembleVote(models, test);
  assert.deepEqual(vote.memberAcc, models.map((m) => evaluate(m, test).acc));
  // The vote and the loss, recomputed image by image from the members' own predictions.
  const classes = models[0]!.outputSize;
  const probs = models.map(() => new Float64Array(test.count * classes));
  const best = models.map(() => new Int32Array(test.count));
  models.forEach((m, k) => forEachPrediction(m, test, (i, p, o, b) => {
    best[k]![i] = b;
    for (let c = 0; c < classes; c++) probs[k]![i * classes + c] = p[o + c]!;
  }));
  let correct = 0, loss = 0;
  for (let i = 0; i < test.count; i++) {
    const votes = new Array<number>(classes).fill(0);
    for (const b of best) votes[b[i]!]!++;
    const mean = (c: number) => probs.reduce((s, p) => s + p[i * classes + c]!, 0);
    let winner = 0;
    for (let c = 1; c < classes; c++) if (votes[c]! > votes[winner]! || (votes[c] === votes[winner] && mean(c) > mean(winner))) winner = c;
    assert.equal(vote.votes.predicted[i], winner, `image ${i}`);
    if (winner === test.labels[i]) correct++;
    loss -= Math.log(mean(test.labels[i]!) / models.length);
  }
  assert.equal(vote.acc, correct / test.count);
  assert.ok(Math.abs(vote.loss - loss / test.count) < 1e-12, `${vote.loss} vs ${loss / test.count}`);
  const c = confusionOfPredictions(vote.votes.predicted, vote.votes.meanProbs, test, classes, 10);
  assert.equal(c.acc, vote.acc);
  assert.equal(c.confusion.flat().reduce((a, b) => a + b, 0), test.count);
  assert.equal(c.misclassified.length, Math.min(10, test.count - correct));
  for (const m of c.misclassified) assert.notEqual(m.label, m.predicted);
});
