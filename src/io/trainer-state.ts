/**
 * A checkpoint's trainer state, from decoded data (plain JSON with typed arrays: state-codec.ts) to a typed
 * TrainerState, checked against the run it is to resume: types, sizes, ranges, a permutation for the order.
 * What does not fit is a ConfigError naming it (restoreCheckpoint names the file). The optimizer's and the
 * callbacks' own buffers are checked by their setState(), which know their sizes.
 * In the file the optimizer's buffer lists sit beside its name and step ({name, step, velocity} for SGD);
 * a checkpoint written before optimizers had names holds only {velocity}: SGD's, its step count derived.
 */
import { ConfigError, show } from '../errors.js';
import type { OptimizerState } from '../nn/optimizer.js';
import type { RngState } from '../rng/mt19937.js';
import type { EpochLogs } from '../train/callbacks.js';
import type { EpochProgress, TrainerState } from '../train/state.js';

/** What a state must fit: the run it is restored into (a Trainer is one). */
export interface StateTarget {
  readonly config: { readonly epochs: number; readonly batchSize: number; readonly shuffle: boolean };
  readonly train: { readonly count: number };
  readonly batchesPerEpoch: number;
  readonly model: { readonly paramData: { readonly length: number } };
  readonly callbacks: readonly { setState?: unknown }[];
}

/** The keys of EpochLogs in their documented order (metrics files write them so). */
const LOG_KEYS = ['epoch', 'trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'testLoss', 'testAcc', 'seconds'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

const bad = (why: string): never => {
  throw new ConfigError(why);
};

/** The state as a checkpoint stores it: the optimizer's buffer lists beside its name and step count. */
export function flattenTrainerState(s: TrainerState): Record<string, unknown> {
  return { ...s, optimizer: { name: s.optimizer.name, step: s.optimizer.step, ...s.optimizer.buffers } };
}

/** Checks a decoded state against the run and returns it typed (a copy where the trainer keeps it). */
export function decodeTrainerState(state: unknown, target: StateTarget): TrainerState {
  if (!isRecord(state)) bad('trainer state: not an object');
  const s = state as Record<string, unknown>;
  const { epochs } = target.config;
  const epoch = s.epoch;
  if (!(typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0 && epoch <= epochs)) bad(`epoch ${show(epoch)} is not between 0 and the ${epochs} epochs of this run`);
  const e = epoch as number;
  const stopReason = s.stopReason;
  if (stopReason !== null && stopReason !== 'completed' && stopReason !== 'early-stopping') bad(`unknown stop reason ${show(stopReason)}`);
  if (typeof s.stopMessage !== 'string') bad('stop message is not a string');
  if (e === epochs && stopReason === null) bad(`all ${epochs} epochs are done but training is not marked as ended`);
  if (stopReason === 'completed' && e !== epochs) bad(`marked completed after ${e} of ${epochs} epochs`);
  const history = checkHistory(s.history, e);
  const progress = s.progress === null ? null : checkProgress(s.progress, target);
  if (progress && stopReason !== null) bad('an epoch is in progress but training is marked as ended');
  const n = target.model.paramData.length;
  for (const k of ['weights', 'lastGoodWeights'] as const) {
    const w = s[k];
    if (!(w instanceof Float64Array) || w.length !== n) bad(`${k}: expected ${n} numbers for this model`);
    if (!(w as Float64Array).every(Number.isFinite)) bad(`${k}: a value is not a finite number`);
  }
  const rng = s.rng;
  if (!isRecord(rng) || !Array.isArray(rng.key) || rng.key.length !== 624 || !Number.isInteger(rng.pos) || (rng.pos as number) < 0 || (rng.pos as number) > 624) {
    bad('random generator state: malformed');
  }
  if (!(rng as { key: unknown[] }).key.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff)) bad('random generator state: malformed');
  const cbs = s.callbacks;
  if (!Array.isArray(cbs) || cbs.length !== target.callbacks.length) bad(`expected the state of ${target.callbacks.length} callbacks`);
  target.callbacks.forEach((cb, i) => {
    if (!cb.setState && (cbs as unknown[])[i] !== null) bad(`callback ${i} has no state but the checkpoint holds one`);
    if (cb.setState && (cbs as unknown[])[i] === null) bad(`callback ${i} needs a state but the checkpoint holds none`);
  });
  const stepsSoFar = e * target.batchesPerEpoch + (progress?.nextBatch ?? 0);
  return {
    epoch: e,
    history,
    progress,
    weights: s.weights as Float64Array,
    lastGoodWeights: s.lastGoodWeights as Float64Array,
    optimizer: checkOptimizer(s.optimizer, stepsSoFar),
    rng: rng as unknown as RngState,
    callbacks: cbs as unknown[],
    stopReason: stopReason as TrainerState['stopReason'],
    stopMessage: s.stopMessage as string,
  };
}

/** {name, step, ...buffer lists}; without a name, the SGD state of a checkpoint from before (one step a batch). */
function checkOptimizer(o: unknown, stepsSoFar: number): OptimizerState {
  if (!isRecord(o)) bad('optimizer state: not an object');
  const r = o as Record<string, unknown>;
  const named = Object.hasOwn(r, 'name');
  if (named && typeof r.name !== 'string') bad('optimizer state: the name is not a string');
  const step = Object.hasOwn(r, 'step') ? r.step : named ? undefined : stepsSoFar;
  if (!(typeof step === 'number' && Number.isInteger(step) && step >= 0)) bad(`optimizer state: step count ${show(step)} is not an integer >= 0`);
  const buffers: Record<string, Float64Array[]> = {};
  for (const [k, list] of Object.entries(r)) {
    if (k === 'name' || k === 'step') continue;
    if (!Array.isArray(list)) bad(`optimizer state: ${k} is not a list of buffers`);
    buffers[k] = (list as unknown[]).map((b, i) => (b instanceof Float64Array ? b : bad(`optimizer state: ${k} buffer ${i} is not a list of numbers`)));
  }
  return { name: named ? (r.name as string) : 'sgd', step: step as number, buffers };
}

function checkHistory(h: unknown, epoch: number): EpochLogs[] {
  if (!Array.isArray(h) || h.length !== epoch) throw new ConfigError(`history: expected ${epoch} epochs of logs`);
  return h.map((l: unknown, i) => {
    const badLog = (why: string): never => bad(`history, epoch ${i + 1}: ${why}`);
    if (!isRecord(l)) badLog('not an object');
    const r = l as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!(LOG_KEYS as readonly string[]).includes(k)) badLog(`unknown key ${k}`);
    if (r.epoch !== i + 1) badLog(`numbered ${show(r.epoch)}`);
    const out: Record<string, number> = {};
    for (const k of LOG_KEYS) {
      const v = r[k];
      if (v === undefined) {
        if (k === 'trainLoss' || k === 'trainAcc' || k === 'seconds') badLog(`${k} is missing`);
        continue;
      }
      if (typeof v !== 'number') badLog(`${k} is not a number`);
      out[k] = v as number;
    }
    return out as unknown as EpochLogs;
  });
}

function checkProgress(p: unknown, target: StateTarget): EpochProgress {
  const badP = (why: string): never => bad(`epoch in progress: ${why}`);
  if (!isRecord(p)) badP('not an object');
  const r = p as Record<string, unknown>;
  const n = target.train.count;
  const { batchSize, shuffle } = target.config;
  const { batchesPerEpoch } = target;
  const nextBatch = r.nextBatch;
  if (!(typeof nextBatch === 'number' && Number.isInteger(nextBatch) && nextBatch >= 0 && nextBatch < batchesPerEpoch)) {
    badP(`next batch ${show(nextBatch)} is not between 0 and ${batchesPerEpoch - 1}`);
  }
  const seen = (nextBatch as number) * batchSize;
  if (r.seen !== seen) badP(`${show(r.seen)} examples seen after ${show(nextBatch)} batches of ${batchSize}`);
  if (!(Number.isInteger(r.correct) && (r.correct as number) >= 0 && (r.correct as number) <= seen)) badP('count of correct examples out of range');
  for (const k of ['lossSum', 'seconds'] as const) {
    if (!(typeof r[k] === 'number' && Number.isFinite(r[k]) && (r[k] as number) >= 0)) badP(`${k} is not a number >= 0`);
  }
  const order = r.order;
  if (!(order instanceof Int32Array) || order.length !== n) badP(`the order must list the ${n} training examples`);
  const o = order as Int32Array;
  if (shuffle) {
    const hit = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = o[i]!;
      if (v < 0 || v >= n || hit[v]) badP('the order is not a permutation of the training examples');
      hit[v] = 1;
    }
  } else {
    for (let i = 0; i < n; i++) if (o[i] !== i) badP('without shuffling the order must be the file order');
  }
  return { order: Int32Array.from(o), nextBatch: nextBatch as number, lossSum: r.lossSum as number, correct: r.correct as number, seen, seconds: r.seconds as number };
}
