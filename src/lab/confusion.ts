/** A confusion matrix and per-class accuracy from predicted and true classes. Pure. */

export interface Confusion {
  classes: number;
  /** counts[truth * classes + predicted]. */
  counts: Uint32Array;
  /** Per true class: the fraction predicted right (NaN for a class with no examples). */
  perClassAcc: number[];
}

export function confusion(predicted: Readonly<Uint8Array>, labels: Readonly<Uint8Array>, classes: number): Confusion {
  const counts = new Uint32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]! * classes + predicted[i]!]!++;
  const perClassAcc = Array.from({ length: classes }, (_, t) => {
    let all = 0;
    for (let p = 0; p < classes; p++) all += counts[t * classes + p]!;
    return counts[t * classes + t]! / all;
  });
  return { classes, counts, perClassAcc };
}

/** Indices of the examples of true class `truth` predicted as `predictedAs`, at most `limit`. */
export function examplesOf(predicted: Readonly<Uint8Array>, labels: Readonly<Uint8Array>, truth: number, predictedAs: number, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length && out.length < limit; i++) if (labels[i] === truth && predicted[i] === predictedAs) out.push(i);
  return out;
}
