/**
 * The one layer protocol (convnetjs-style): every layer maps a [rows, inSize] buffer to a [rows, outSize]
 * buffer in forward(), and a gradient back in backward(). Layers own their output buffers (grown to the
 * largest batch seen) and keep what backward needs from the last forward. Parameters live in one model-wide
 * allocation; a layer only declares their shapes and receives named views. A layer may offer the fused
 * gradient-and-step (backwardAndStep), an optional capability of this protocol, never found by instanceof.
 */
import { view, type Backend, type FloatArray } from '../backend/backend.js';
import type { Rng } from '../rng/mt19937.js';

/** 'train' applies dropout and keeps what backward needs; 'eval' is deterministic and draws nothing. */
export type Mode = 'train' | 'eval';

export interface ParamSpec {
  /** e.g. 'W' or 'b'; the model prefixes the layer index: '0.W'. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Whether L2 weight decay applies (weights yes, biases no). */
  readonly decay: boolean;
}

export interface Param extends ParamSpec {
  /** A view into the model's one parameter buffer. */
  readonly value: FloatArray;
  /** A view into the model's one gradient buffer, same layout. */
  readonly grad: FloatArray;
}

/**
 * What a layer's fused step asks of the optimizer: the rate of a plain SGD step (w -= lr * g, no momentum, no
 * L2) for parameter p when that is p's whole update, else null. Optimizers that allow the fused step have it
 * (Sgd does); others (Adam) need not.
 */
export interface PlainStepRate {
  plainStepRate(p: Param): number | null;
}

/**
 * A weight matrix W[in, out] that an optimizer steps lazily, row by row (nn/lazy-rows.ts): only the rows its
 * input reads (nonzero columns of x) are brought up to date and stepped; the others wait.
 */
export interface RowStepper {
  /** Before the forward pass: brings the rows x[rows, in] reads (its nonzero columns) up to date. */
  prepare(x: Readonly<FloatArray>, rows: number): void;
  /** After it: the prepared rows' step from x and the output gradient dy (W.grad is not written). */
  step(x: Readonly<FloatArray>, dy: Readonly<FloatArray>, rows: number): void;
}

/** What a layer's lazy step asks of the optimizer: a RowStepper for p when it steps p lazily, else null. */
export interface RowSteps {
  rowStepper(p: Param): RowStepper | null;
}

/** What an optimizer offers the layers' fused and lazy steps (each optional). */
export type StepRates = Partial<PlainStepRate> & Partial<RowSteps>;

export interface Layer {
  /** The spec this layer was made from (serialisable: it is what model files store). */
  readonly spec: LayerSpec;
  /** Fixes the input width; returns the output width. Called once, before anything else. */
  build(inSize: number, backend: Backend): number;
  /** The parameters this layer needs (after build). */
  paramSpecs(): ParamSpec[];
  /** Hands the layer its parameter views, in paramSpecs() order. */
  bindParams(params: Param[]): void;
  /** Fills the parameters from the seeded generator (in paramSpecs() order, row-major). */
  initParams(rng: Rng): void;
  /** x is [rows, inSize]; returns [rows, outSize] (a buffer the layer owns; valid until its next forward). */
  forward(x: FloatArray, rows: number, mode: Mode, rng: Rng): FloatArray;
  /** Gives back the buffers the layer allocated (not its parameters: the model owns those). */
  dispose(): void;
  /**
   * dy is [rows, outSize] for the last forward (which must have been in 'train' mode). Writes the parameter
   * gradients (overwriting them) and returns dx [rows, inSize], or null when needInputGrad is false.
   */
  backward(dy: FloatArray, rows: number, needInputGrad: boolean): FloatArray | null;
  /**
   * Optional capability, the fused step: backward() that may also step a parameter by plain SGD as it computes
   * its gradient, without storing that gradient (Dense: Backend.denseSgdStep). For each parameter it fuses,
   * the layer asks rate.plainStepRate(p); when that gives a rate it steps p, leaves p.grad stale and pushes p
   * onto taken (the optimizer must then leave it out: Optimizer.step(taken)); else p.grad is written as
   * backward() writes it. Returns what backward() returns.
   */
  backwardAndStep?(dy: FloatArray, rows: number, needInputGrad: boolean, rate: StepRates, taken: Param[]): FloatArray | null;
  /**
   * Optional, with backwardAndStep: called before a training forward pass on the input x it will get. A layer
   * whose weights the optimizer steps lazily (rate.rowStepper) and whose input gradient is not needed (so that
   * only the forward pass reads its weights) has them brought up to date here, and steps them lazily in
   * backwardAndStep. Dense does, for its W.
   */
  prepareStep?(x: Readonly<FloatArray>, rows: number, needInputGrad: boolean, rate: StepRates): void;
}

export type DenseInit = 'uniform' | 'he' | 'glorot';

export type DropoutMaskDraw = 'threshold' | 'randint';

/** Layers as plain data: what a user writes, what a model file stores. */
export type LayerSpec =
  | {
      type: 'dense';
      /** Output width. */
      units: number;
      /** Add a bias vector (default true). The book's network has none. */
      bias?: boolean;
      /**
       * 'uniform': U(-0.1, 0.1) drawn as 0.2 * random() - 0.1, the chapter's init (the default);
       * 'he': U(±sqrt(6 / fanIn)); 'glorot': U(±sqrt(6 / (fanIn + fanOut))).
       */
      init?: DenseInit;
    }
  | { type: 'relu' }
  | { type: 'sigmoid' }
  | { type: 'tanh' }
  | {
      type: 'dropout';
      /** Fraction of units zeroed while training, in [0, 1). Survivors are scaled by 1 / (1 - rate). */
      rate: number;
      /**
       * How each unit's keep-or-drop is drawn. 'threshold' (the default): one uint32 u per unit, kept when
       * u >= rate * 2^32. 'randint': numpy's randint(2) per unit, kept on 1, as the book's
       * `np.random.randint(2, size=layer_1.shape)` (rate must then be 0.5).
       */
      maskDraw?: DropoutMaskDraw;
    }
  | { type: 'softmax' };

/** A buffer that grows to the largest size asked of it (batch sizes vary; the last batch may be short). */
export class GrowBuffer {
  private buf: FloatArray | null = null;
  /** Every buffer allocated (smaller ones are kept: views of them may still be held), given back by dispose(). */
  private readonly all: FloatArray[] = [];
  constructor(private readonly backend: Backend) {}
  get(n: number): FloatArray {
    if (!this.buf || this.buf.length < n) {
      this.buf = this.backend.alloc(n);
      this.all.push(this.buf);
    }
    return this.buf.length === n ? this.buf : view(this.buf, 0, n);
  }

  /** Gives every buffer back to the backend (Backend.free, where it has one); get() may be called again. */
  dispose(): void {
    for (const b of this.all) this.backend.free?.(b);
    this.all.length = 0;
    this.buf = null;
  }
}
