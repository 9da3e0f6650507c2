/**
 * A run as the report shows it: its configuration and seed, the epoch-by-epoch history, where early stopping
 * and the best test accuracy fell, the first layer's weights, the confusion matrix and some misclassified
 * test digits. Plain JSON-safe data (pure: no file system), built from a trained model with recordRun().
 */
import type { ImageSet } from '../data/dataset.js';
import { pixelsOf } from '../data/dataset.js';
import { Model } from '../nn/model.js';
import type { EpochLogs } from '../train/callbacks.js';
import type { EarlyStopping } from '../train/early-stopping.js';
import { evaluate, forEachPrediction } from '../train/evaluate.js';
import type { FitResult } from '../train/trainer.js';
import { bestTestEpoch } from '../train/summary.js';
import { trainCommandLine } from '../experiments/command-line.js';
import type { RunResult } from '../experiments/run.js';

export interface MisclassifiedDigit {
  /** Index in the test set. */
  index: number;
  label: number;
  predicted: number;
  /** The model's probability for its (wrong) prediction. */
  confidence: number;
  /** height x width bytes (0 background, 255 ink), base64. */
  pixels: string;
}

export interface WeightImages {
  height: number;
  width: number;
  /** Hidden units shown (the first ones). */
  units: number;
  /** Hidden units in the layer. */
  totalUnits: number;
  /**
   * W[pixels, units] for the shown units as int8, each unit scaled by its own largest |w| to 127 (the
   * pictures are normalised per unit anyway), base64.
   */
  data: string;
}

export interface RunRecord {
  name: string;
  /** One sentence: what this run shows. */
  description?: string;
  /** Everything needed to rerun it, seed included. */
  config: Readonly<Record<string, unknown>>;
  /** The command line that reruns it, when there is one. */
  command?: string;
  history: EpochLogs[];
  stopReason: string;
  stopMessage?: string;
  /** The epoch early stopping chose (best monitored value), when early stopping ran. */
  earlyStoppingEpoch?: number;
  /** The epoch early stopping ended training at (0 or absent if it did not stop it). */
  earlyStoppedAt?: number;
  /** The epoch of the highest test accuracy. */
  bestTestEpoch?: number;
  /**
   * The final model on the test set (after early stopping restored its best weights); trainAcc: its
   * accuracy on the training images in eval mode (no dropout), when measured.
   */
  final?: { testLoss: number; testAcc: number; testCount: number; trainAcc?: number };
  weights?: WeightImages;
  /** What training changed: the first layer minus its initial values (same layout as weights). */
  weightChange?: WeightImages;
  /** confusion[label][predicted] counts over the test set. */
  confusion?: number[][];
  misclassified?: MisclassifiedDigit[];
}

export interface RecordRunInput {
  name: string;
  description?: string;
  config: Readonly<Record<string, unknown>>;
  command?: string;
  model: Model;
  /** How training went: a FitResult, or the same facts from a summary. */
  result: Pick<FitResult, 'history' | 'stopReason'> & { message?: string };
  /** The test set: confusion matrix, misclassified digits and the final numbers come from it. */
  test?: ImageSet;
  /** The training images: the final model's eval-mode train accuracy comes from them. */
  train?: ImageSet;
  /** The early-stopping callback of the run, or its two epochs as numbers. */
  earlyStopping?: Pick<EarlyStopping, 'bestEpoch' | 'stoppedEpoch'>;
  /** Weight pictures for at most this many hidden units. Default 100. */
  maxUnits?: number;
  /** Misclassified test digits kept. Default 30. */
  maxMisclassified?: number;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function quantise(w: ArrayLike<number>, inputs: number, total: number, units: number, height: number, width: number): WeightImages {
  const q = new Int8Array(inputs * units);
  for (let u = 0; u < units; u++) {
    let max = 1e-30;
    for (let p = 0; p < inputs; p++) max = Math.max(max, Math.abs(w[p * total + u]!));
    for (let p = 0; p < inputs; p++) q[p * units + u] = Math.round((w[p * total + u]! / max) * 127);
  }
  return { height, width, units, totalUnits: total, data: toBase64(new Uint8Array(q.buffer)) };
}

/** The first dense layer's weights, quantised for pictures. */
export function weightImages(model: Model, height: number, width: number, maxUnits = 100): WeightImages | undefined {
  const dense = model.denseLayers()[0];
  if (!dense || height * width !== model.inputSize) return undefined;
  return quantise(dense.weights, model.inputSize, dense.units, Math.min(dense.units, maxUnits), height, width);
}

/**
 * What training changed in the first layer: its weights minus the initial ones, which the model's seed
 * recreates exactly (a fresh model from the same spec and seed starts from the same draws).
 */
export function weightChangeImages(model: Model, height: number, width: number, maxUnits = 100): WeightImages | undefined {
  const dense = model.denseLayers()[0];
  if (!dense || height * width !== model.inputSize) return undefined;
  const fresh = new Model(model.spec, { backend: model.backend, seed: model.seed });
  const initial = fresh.denseLayers()[0]!.weights;
  const now = dense.weights;
  const d = new Float64Array(now.length);
  for (let i = 0; i < d.length; i++) d[i] = now[i]! - initial[i]!;
  fresh.dispose(); // its buffers go back to the backend (and initial with them)
  return quantise(d, model.inputSize, dense.units, Math.min(dense.units, maxUnits), height, width);
}

/** Confusion matrix, accuracy and misclassified digits of a model on a set (eval mode). */
export function confusionOf(model: Model, set: ImageSet, maxMisclassified = 32) {
  return confusionFrom((visit) => forEachPrediction(model, set, visit), set, model.outputSize, maxMisclassified);
}

/** confusionOf for predictions made another way (an ensemble's vote): predicted[i], probabilities [count, classes]. */
export function confusionOfPredictions(predicted: Int32Array, probs: Float64Array, set: ImageSet, classes: number, maxMisclassified = 32) {
  return confusionFrom(
    (visit) => {
      for (let i = 0; i < set.count; i++) visit(i, probs, i * classes, predicted[i]!);
    },
    set,
    classes,
    maxMisclassified,
  );
}

type Visit = (i: number, probs: Readonly<ArrayLike<number>>, o: number, best: number) => void;

function confusionFrom(walk: (visit: Visit) => void, set: ImageSet, classes: number, maxMisclassified: number) {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const misclassified: MisclassifiedDigit[] = [];
  const pixels = pixelsOf(set);
  let correct = 0;
  walk((i, probs, o, best) => {
    const label = set.labels[i]!;
    if (label < classes) confusion[label]![best]!++;
    if (label === best) correct++;
    else if (misclassified.length < maxMisclassified) {
      misclassified.push({
        index: i,
        label,
        predicted: best,
        confidence: probs[o + best]!,
        pixels: toBase64(set.images.subarray(i * pixels, (i + 1) * pixels)),
      });
    }
  });
  return { confusion, misclassified, acc: correct / set.count };
}

/** Everything the report shows about one trained run. */
export function recordRun(input: RecordRunInput): RunRecord {
  const { model, result, test, earlyStopping } = input;
  const rec: RunRecord = {
    name: input.name,
    ...(input.description ? { description: input.description } : {}),
    config: input.config,
    ...(input.command ? { command: input.command } : {}),
    history: result.history.map((h) => ({ ...h })),
    stopReason: result.stopReason,
    ...(result.message ? { stopMessage: result.message } : {}),
  };
  if (earlyStopping && earlyStopping.bestEpoch > 0) rec.earlyStoppingEpoch = earlyStopping.bestEpoch;
  if (earlyStopping && earlyStopping.stoppedEpoch > 0) rec.earlyStoppedAt = earlyStopping.stoppedEpoch;
  const best = bestTestEpoch(result.history);
  if (best !== undefined) rec.bestTestEpoch = best;
  const side = Math.round(Math.sqrt(model.inputSize));
  const [h, w] = test ? [test.height, test.width] : [side, side];
  const weights = weightImages(model, h, w, input.maxUnits ?? 100);
  if (weights) rec.weights = weights;
  const change = weightChangeImages(model, h, w, input.maxUnits ?? 100);
  if (change) rec.weightChange = change;
  if (test) {
    const c = confusionOf(model, test, input.maxMisclassified ?? 30);
    rec.confusion = c.confusion;
    rec.misclassified = c.misclassified;
    const e = evaluate(model, test);
    rec.final = { testLoss: e.loss, testAcc: e.acc, testCount: test.count, ...(input.train ? { trainAcc: evaluate(model, input.train).acc } : {}) };
  }
  return rec;
}

/** A run of the experiments module (reglab train, reglab chapter8) as the report shows it. */
export function recordExperimentRun(
  name: string,
  run: Pick<RunResult, 'config' | 'model' | 'result' | 'splits' | 'earlyStopping'>,
  options: { description?: string; command?: string | null } = {},
): RunRecord {
  const command = options.command === null ? undefined : (options.command ?? trainCommandLine(run.config));
  return recordRun({
    name,
    ...(options.description ? { description: options.description } : {}),
    config: { ...run.config },
    ...(command ? { command } : {}),
    model: run.model,
    result: run.result,
    ...(run.splits.test ? { test: run.splits.test } : {}),
    train: run.splits.train,
    ...(run.earlyStopping ? { earlyStopping: run.earlyStopping } : {}),
  });
}
