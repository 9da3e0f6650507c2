/**
 * The chapter's claim that overfit networks "don't overfit to the same noise", measured: several
 * unregularised nets from different seeds vote on each test image (majority of their predicted classes, ties
 * broken by the summed probabilities).
 */
import type { ImageSet } from '../data/dataset.js';
import type { Model } from '../nn/model.js';
import { forEachPrediction } from '../train/evaluate.js';

export interface EnsembleResult {
  /** Accuracy of the vote. */
  acc: number;
  /** Each member's own accuracy. */
  memberAcc: number[];
}

export function ensembleVote(models: readonly Model[], set: ImageSet): EnsembleResult {
  const classes = models[0]!.outputSize;
  const votes = new Float64Array(set.count * classes);
  const probSum = new Float64Array(set.count * classes);
  const memberCorrect = models.map(() => 0);
  models.forEach((model, m) => {
    forEachPrediction(model, set, (i, p, o, best) => {
      votes[i * classes + best]!++;
      for (let c = 0; c < classes; c++) probSum[i * classes + c]! += p[o + c]!;
      if (best === set.labels[i]) memberCorrect[m]!++;
    });
  });
  let correct = 0;
  for (let i = 0; i < set.count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      const v = votes[i * classes + c]! - votes[i * classes + best]!;
      if (v > 0 || (v === 0 && probSum[i * classes + c]! > probSum[i * classes + best]!)) best = c;
    }
    if (best === set.labels[i]) correct++;
  }
  return { acc: correct / set.count, memberAcc: memberCorrect.map((c) => c / set.count) };
}
