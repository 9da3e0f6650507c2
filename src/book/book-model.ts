/**
 * The book's chapter-8 network as an engine Model: 784-H-10, no biases, U(-0.1, 0.1) init drawn W01 then W12,
 * ReLU, optional dropout drawn as numpy's randint(2), linear output, squared error. Forward, loss, init and
 * the SGD step are the engine's; only the backward pass differs, by the book's quirks, each a small named
 * step below.
 *
 * The engine's 'mse' gradient is the exact one, 2 * (y - t) / rows, so the book's `W += alpha * x^T · (t - y)`
 * summed over a batch of B examples is the engine's step with lr = alpha * B / 2 (exact: a power-of-two scale).
 */
import type { FloatArray } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { skipZerosBackend } from '../backend/skip-zeros.js';
import { lossAndGrad } from '../nn/losses.js';
import { GrowBuffer, type LayerSpec } from '../nn/layer.js';
import { Model, type StepResult } from '../nn/model.js';
import { Dense } from '../nn/dense.js';
import { Dropout } from '../nn/dropout.js';
import { Activation } from '../nn/activations.js';
import type { Optimizer } from '../nn/optimizer.js';

export interface BookQuirks {
  /**
   * Bug 1 (the author's issue #9): `relu2deriv(layer_1)` is `layer_1 >= 0` taken on the ReLU's output, so it
   * is always 1 and the hidden layer back-propagates linearly. false: the derivative from the
   * pre-activation, > 0.
   */
  reluDerivOnOutput: boolean;
  /**
   * Bug 2 (issues #16/#31): the batch update sits inside the per-example loop, so a batch of B examples makes
   * B updates from the same deltas: W12 moves B steps, and W01's k-th step back-propagates through W12 after
   * k of them. false: one update per batch.
   */
  updateInsideExampleLoop: boolean;
  /**
   * The book's dropout backward, `layer_1_delta *= dropout_mask`, multiplies by the 0/1 mask, without the
   * forward pass's x2 (it halves W01's step). Not one of the two reported bugs: --fixed keeps it.
   */
  dropoutBackwardWithoutScale: boolean;
}

/** The book as printed. */
export const BOOK_QUIRKS: Readonly<BookQuirks> = Object.freeze({
  reluDerivOnOutput: true,
  updateInsideExampleLoop: true,
  dropoutBackwardWithoutScale: true,
});

/** The two reported bugs mended (what `reglab book --fixed` runs). */
export const FIXED_QUIRKS: Readonly<BookQuirks> = Object.freeze({
  reluDerivOnOutput: false,
  updateInsideExampleLoop: false,
  dropoutBackwardWithoutScale: true,
});

export interface BookNetConfig {
  /** Hidden units (40 in overfit, 100 with dropout). */
  hidden: number;
  /** Dropout after the ReLU, mask drawn as randint(2) and scaled x2. */
  dropout: boolean;
  /** The SGD learning rate the trainer will use (the in-loop update needs it to know where W12 goes). */
  lr: number;
  quirks: Readonly<BookQuirks>;
  /** Seed of numpy's global generator. Default 1, the book's `np.random.seed(1)`. */
  seed?: number;
}

export const BOOK_PIXELS = 784;
export const BOOK_CLASSES = 10;

export function bookLayers(hidden: number, dropout: boolean): LayerSpec[] {
  return [
    { type: 'dense', units: hidden, bias: false, init: 'uniform' },
    { type: 'relu' },
    ...(dropout ? [{ type: 'dropout', rate: 0.5, maskDraw: 'randint' } as const] : []),
    { type: 'dense', units: BOOK_CLASSES, bias: false, init: 'uniform' },
  ];
}

export class BookNet extends Model {
  readonly quirks: Readonly<BookQuirks>;
  readonly hidden: number;
  private readonly lr: number;
  private readonly dOut: GrowBuffer; // [rows, 10]
  private readonly layer1Delta: GrowBuffer; // [rows, hidden]
  private readonly maskedDelta: GrowBuffer; // [rows, hidden]
  private readonly w12Mean: FloatArray; // [hidden, 10]

  constructor(config: BookNetConfig) {
    super(
      { inputSize: BOOK_PIXELS, layers: bookLayers(config.hidden, config.dropout), loss: 'mse' },
      { backend: skipZerosBackend(refBackend('float64')), seed: config.seed ?? 1 },
    );
    this.quirks = config.quirks;
    this.hidden = config.hidden;
    this.lr = config.lr;
    this.dOut = new GrowBuffer(this.backend);
    this.layer1Delta = new GrowBuffer(this.backend);
    this.maskedDelta = new GrowBuffer(this.backend);
    this.w12Mean = this.backend.alloc(config.hidden * BOOK_CLASSES);
  }

  /** W01 [784, hidden], a view. */
  get w01(): FloatArray {
    return (this.layers[0] as Dense).weights;
  }
  /** W12 [hidden, 10], a view. */
  get w12(): FloatArray {
    return (this.layers[this.layers.length - 1] as Dense).weights;
  }

  /**
   * One training step the book's way: computeGradients() then the optimizer's step on every weight (the engine's
   * fused step, which takes the gradient as it goes, would skip the quirks). Nothing moves when the loss is not
   * finite. The book's step is a plain step at the lr the net was built for: any optimizer of the seam that
   * says so (plainStepRate) takes it.
   */
  override trainStep(x: FloatArray, labels: Readonly<Uint8Array>, rows: number, optimizer: Optimizer): StepResult {
    for (const p of this.params) {
      const rate = optimizer.plainStepRate?.(p) ?? null;
      if (rate !== this.lr) throw new Error(`BookNet was built for a plain step at lr ${this.lr}, stepped by ${optimizer.name}${rate === null ? ' (not a plain step)' : ` at lr ${rate}`}`);
    }
    const result = this.computeGradients(x, labels, rows);
    if (Number.isFinite(result.lossSum)) optimizer.step();
    return result;
  }

  /** Forward (with the dropout draws), loss, and the book's backward: gradients of the mean loss. */
  override computeGradients(x: FloatArray, labels: Readonly<Uint8Array>, rows: number): StepResult {
    const be = this.backend;
    const out = this.forward(x, rows, 'train');
    const dOut = this.dOut.get(rows * BOOK_CLASSES);
    const lossSum = lossAndGrad(be, 'mse', dOut, out, labels, rows, BOOK_CLASSES);
    const correct = be.countCorrect(out, labels, rows, BOOK_CLASSES);

    const layers = this.layers;
    const output = layers[layers.length - 1] as Dense;
    const inLoop = this.quirks.updateInsideExampleLoop && rows > 1;
    let delta = output.backward(dOut, rows, !inLoop);
    if (inLoop) delta = this.backpropThroughW12MidLoop(dOut, rows);
    for (let i = layers.length - 2; i >= 1; i--) {
      const layer = layers[i]!;
      if (layer instanceof Dropout && this.quirks.dropoutBackwardWithoutScale) {
        delta = this.dropoutBackwardWithoutScale(layer, delta!, rows);
      } else if (layer instanceof Activation && this.quirks.reluDerivOnOutput) {
        // Book quirk 1: relu2deriv(layer_1), `>= 0` on the ReLU's output, is 1 everywhere: the delta passes as is.
      } else {
        delta = layer.backward(delta!, rows, true);
      }
    }
    layers[0]!.backward(delta!, rows, false);
    return { lossSum, correct };
  }

  /**
   * Book quirk 2, summed in closed form. Inside the loop over a batch's B examples, step k computes layer_1_delta through W12 after k
   * of the loop's B identical W12 steps, then moves W01. The B W01 steps sum to one step through the mean of
   * those W12s: W12 - ((B - 1) / (2B)) * lr * dW12 (with lr the whole batch's step, B times the loop's).
   * This rearrangement costs one extra [B,10]·[10,H] product instead of B [784,B]·[B,H] ones.
   */
  private backpropThroughW12MidLoop(dOut: FloatArray, rows: number): FloatArray {
    const be = this.backend;
    const w12 = this.params[this.params.length - 1]!;
    const w12Mean = this.w12Mean;
    w12Mean.set(w12.value);
    be.sgdStep(w12Mean, w12.grad, null, ((rows - 1) / (2 * rows)) * this.lr, 0, 0, w12Mean.length);
    const delta = this.layer1Delta.get(rows * this.hidden);
    be.matmul(delta, dOut, w12Mean, rows, BOOK_CLASSES, this.hidden, false, true, false);
    return delta;
  }

  /** The book's `layer_1_delta *= dropout_mask`: the 0/1 mask, where the forward pass multiplied by mask * 2. */
  private dropoutBackwardWithoutScale(layer: Dropout, delta: FloatArray, rows: number): FloatArray {
    const mask = layer.dropoutMask!; // [rows, hidden], 0 or 2
    const n = rows * this.hidden;
    const out = this.maskedDelta.get(n);
    for (let i = 0; i < n; i++) out[i] = delta[i]! * (mask[i]! * 0.5);
    return out;
  }
}
