/**
 * The per-example step as one call (Backend.perExampleSgd, an optional capability): many batch-1 SGD steps of
 * a dense-ReLU-...-dense network with softmax cross-entropy, each one gather, forward, loss, backward and
 * update, so that the chapter's per-example epoch does not pay a kernel call (and, on the fast backend, a
 * JavaScript-WebAssembly crossing) for every small product. A backend that has it runs the arithmetic of
 * Model.trainStep on its own kernels, exactly, except that the plain SGD rule's steps ('sgd') may be taken in
 * float32 (the fast backend's: fl32(w - fl32(x * fl32(lr * d))) instead of w - lr * g in float64 rounded
 * once; within 1e-6 per weight over an epoch of MNIST); `composedPerExampleSgd` (per-example-ref.ts) is that
 * arithmetic written as those kernel calls, with either step, what the fused kernels are tested against. The
 * momentum/L2 rule ('sgd-reg') may be taken in float32 too, by an arithmetic of its own that is the dense
 * update in exact arithmetic (the fast backend's: per-example-reg-ref.ts, composedPerExampleSgdReg, which its
 * kernel equals bit for bit; within 4e-6 per weight of the float64 dense update over an epoch of MNIST); Adam's
 * ('adam') steps the first layer's rows lazily (assembly/per-example-adam.ts states its exactness).
 */

import type { FloatArray } from './buffer.js';
import type { ModalMap } from './modal-map.js';
import type { PerExampleAdamRule } from './per-example-adam.js';

/**
 * How a parameter is stepped from its gradient g: plain SGD (w -= lr * g, as Backend.sgdStep with no momentum
 * and no L2), or SGD with momentum and L2 ('sgd-reg', Backend.sgdStep's arithmetic) with its velocity and, for
 * a weight matrix an optimizer tracks row by row (nn/lazy-rows.ts), its rows' step counts; or Adam without L2
 * ('adam', per-example-adam.ts) with its moments and, for the first layer, its lazy rows.
 */
export type PerExampleRule = { readonly kind: 'sgd'; readonly lr: number } | PerExampleRegRule | PerExampleAdamRule;

/** SGD with momentum and L2 (Backend.sgdStep: g' = g + l2 * w; v = momentum * v + g'; w -= lr * (v or g')). */
export interface PerExampleRegRule {
  readonly kind: 'sgd-reg';
  readonly lr: number;
  readonly momentum: number;
  readonly l2: number;
  /** The velocity (the parameter's size), null without momentum. */
  readonly velocity: FloatArray | null;
  /** A weight matrix's rows as an optimizer tracks them (nn/lazy-rows.ts), or null. */
  readonly rows: PerExampleRows | null;
}

/** A weight matrix W[in, out]'s rows (nn/lazy-rows.ts: LazyRows), read and written by the stepper. */
export interface PerExampleRows {
  /**
   * true: stepped lazily (LazyRows.prepare before the forward pass, LazyRows.step after the backward pass, only
   * the rows the input reads); only the first layer's matrix can be. false: every row is stepped at every step,
   * and the step counts are kept at the optimizer's.
   */
  readonly lazy: boolean;
  /** The step count each row is current at (in rows), in the backend's memory. */
  readonly rowStep: Float64Array;
  /** With lazy: M^0 .. M^(n-1) of the zero-gradient step (StepPowers), 4 doubles each, in the backend's memory. */
  readonly powers: Float64Array | null;
  /** The optimizer's step count before the next step. */
  now(): number;
  /**
   * With lazy and momentum: the zero-gradient step's eigenbasis (modal-map.ts), in which the stepper may hold
   * the matrix between calls (flag[0] = 1: W's buffer holds P, the velocity's Q), or null.
   */
  readonly modal: { readonly flag: Float64Array; readonly map: ModalMap } | null;
}

/** One dense layer: y[out] = x[in] · W[in, out] (+ b[out]); every layer but the last is followed by a ReLU. */
export interface PerExampleLayer {
  readonly inSize: number;
  readonly outSize: number;
  readonly weights: FloatArray;
  readonly weightRule: PerExampleRule;
  /** The bias, its gradient buffer (written as Dense.backward writes it) and its rule; null: no bias. */
  readonly bias: { readonly value: FloatArray; readonly grad: FloatArray; readonly rule: PerExampleRule } | null;
}

/** A dense-ReLU-...-dense network with softmax cross-entropy on the last layer's outputs (logits). */
export interface PerExampleNet {
  readonly layers: readonly PerExampleLayer[];
}

/** The examples of one call, and where their results go. */
export interface PerExampleBatch {
  /** The image set (uint8 pixels, inSize of the first layer per image); read-only once stepped on (Backend.gatherRows). */
  readonly images: Readonly<Uint8Array>;
  /** Example r of the call is image idx[start + r], with class labels[r]. */
  readonly idx: Readonly<Int32Array>;
  readonly start: number;
  readonly count: number;
  readonly labels: Readonly<Uint8Array>;
  /** Pixels are byte / divisor (Backend.gatherRows). */
  readonly divisor: number;
  /** Written: each step's loss (float64, as softmaxCrossEntropy returns it) and 1 where its argmax was right. */
  readonly losses: Float64Array;
  readonly correct: Uint8Array;
}

export interface PerExampleStepper {
  /**
   * Runs batch.count steps in order. Returns the steps applied: batch.count, or the index of the first step
   * whose loss is not finite (its loss and correct are written, nothing of it is applied: Model.trainStep).
   */
  steps(batch: PerExampleBatch): number;
}

/** The checks every stepper makes of a net: widths chain, buffers fit, rates are positive numbers. */
export function checkPerExampleNet(net: PerExampleNet): void {
  const { layers } = net;
  if (layers.length === 0) throw new RangeError('perExampleSgd: a net needs a layer');
  layers.forEach((l, i) => {
    if (!(Number.isInteger(l.inSize) && l.inSize > 0 && Number.isInteger(l.outSize) && l.outSize > 0)) throw new RangeError(`perExampleSgd: layer ${i} has no size`);
    if (i > 0 && l.inSize !== layers[i - 1]!.outSize) throw new RangeError(`perExampleSgd: layer ${i}'s input is not layer ${i - 1}'s output`);
    if (l.weights.length !== l.inSize * l.outSize) throw new RangeError(`perExampleSgd: layer ${i}'s weights are not [${l.inSize}, ${l.outSize}]`);
    if (l.bias && (l.bias.value.length !== l.outSize || l.bias.grad.length !== l.outSize)) throw new RangeError(`perExampleSgd: layer ${i}'s bias is not [${l.outSize}]`);
    checkRule(l.weightRule, l.inSize * l.outSize, `layer ${i}'s weights`, i === 0 ? l.inSize : -l.inSize);
    if (l.bias) checkRule(l.bias.rule, l.outSize, `layer ${i}'s bias`, 0);
  });
}

/** Checks a batch against the net's input width; throws a RangeError naming the first thing that does not fit. */
export function checkPerExampleBatch(net: PerExampleNet, b: PerExampleBatch): void {
  const cols = net.layers[0]!.inSize;
  if (!(Number.isInteger(b.start) && Number.isInteger(b.count) && b.start >= 0 && b.count >= 0 && b.start + b.count <= b.idx.length)) {
    throw new RangeError(`perExampleSgd: examples [${b.start}, ${b.start + b.count}) are not in the index list`);
  }
  if (b.labels.length < b.count || b.losses.length < b.count || b.correct.length < b.count) throw new RangeError(`perExampleSgd: ${b.count} examples need as many labels, losses and counts`);
  for (let r = 0; r < b.count; r++) {
    const i = b.idx[b.start + r]!;
    if (!(i >= 0 && i * cols + cols <= b.images.length)) throw new RangeError(`perExampleSgd: image ${i} is out of range`);
  }
}

/** A rule's checks: a positive rate, momentum in [0, 1), L2 >= 0, buffers that fit; rows (a matrix's: rows > 0 may be lazy, rows < 0 not). */
function checkRule(rule: PerExampleRule, size: number, what: string, rows: number): void {
  if (!(rule.lr > 0 && Number.isFinite(rule.lr))) throw new RangeError(`perExampleSgd: ${what}' rate is not a positive number`);
  if (rule.kind === 'sgd') return;
  if (rule.kind === 'adam') {
    if (rule.m.length !== size || rule.v.length !== size) throw new RangeError(`perExampleSgd: ${what}' moments do not fit`);
    if (rule.rows && rows <= 0) throw new RangeError(`perExampleSgd: ${what} cannot be stepped lazily`);
    return;
  }
  if (!(rule.momentum >= 0 && rule.momentum < 1 && rule.l2 >= 0 && Number.isFinite(rule.l2))) throw new RangeError(`perExampleSgd: ${what}' momentum or L2 is out of range`);
  if (rule.velocity && rule.velocity.length !== size) throw new RangeError(`perExampleSgd: ${what}' velocity does not fit`);
  if (!rule.rows) return;
  if (rows === 0) throw new RangeError(`perExampleSgd: ${what} have no rows`);
  if (rule.rows.rowStep.length !== Math.abs(rows)) throw new RangeError(`perExampleSgd: ${what}' row steps are not ${Math.abs(rows)}`);
  if (rule.rows.lazy && (rows < 0 || !rule.rows.powers || rule.rows.powers.length < 8 || rule.rows.powers.length % 4 !== 0)) {
    throw new RangeError(`perExampleSgd: ${what} cannot be stepped lazily`);
  }
}
