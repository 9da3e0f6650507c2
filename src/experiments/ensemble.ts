/**
 * The chapter's claim that overfit networks "don't overfit to the same noise", measured: several
 * unregularised nets from different seeds vote on each test image (majority of their predicted classes, ties
 * broken by the summed probabilities).
 */
import { log } from '../backend/libm.js';
import type { ImageSet } from '../data/dataset.js';
import type { Model } from '../nn/model.js';
import { forEachPrediction } from '../train/evaluate.js';

export interface EnsembleResult {
  /** Accuracy of the vote. */
  acc: number;
  /** Mean cross-entropy of the members' averaged class probabilities (the ensemble as one model's loss). */
  loss: number;
  /** Each member's own accuracy. */
  memberAcc: number[];
}

/** The vote image by image: its class, and the members' averaged probabilities [count, classes]. */
export interface EnsembleVotes {
  predicted: Int32Array;
  meanProbs: Float64Array;
}

/** The members' vote on a set; the models stay the caller's (to dispose when done). */
export function ensembleVote(models: readonly Model[], set: ImageSet): EnsembleResult & { votes: EnsembleVotes } {
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
  let lossSum = 0;
  const predicted = new Int32Array(set.count);
  const meanProbs = probSum.map((p) => p / models.length);
  for (let i = 0; i < set.count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      const v = votes[i * classes + c]! - votes[i * classes + best]!;
      if (v > 0 || (v === 0 && probSum[i * classes + c]! > probSum[i * classes + best]!)) best = c;
    }
    predicted[i] = best;
    if (best === set.labels[i]) correct++;
    lossSum -= log(meanProbs[i * classes + set.labels[i]!]!);
  }
  // Probabilities exist for softmax cross-entropy models only (squared-error models output raw values).
  const probabilities = models.every((m) => m.spec.loss === 'ce');
  return {
    acc: correct / set.count,
    loss: probabilities ? lossSum / set.count : NaN,
    memberAcc: memberCorrect.map((c) => c / set.count),
    votes: { predicted, meanProbs },
  };
}
