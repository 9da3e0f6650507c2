/**
 * A sequential model: layers built from plain specs, all parameters in one allocation with named views
 * (llm.c), a loss, and the model's own seeded generator (init and dropout masks draw from it; fit() shuffles
 * with it too, so one seed drives everything). trainStep takes any Optimizer (nn/optimizer.ts); a layer takes
 * its fused step (Layer.backwardAndStep) only where the optimizer offers a plain step rate.
 */
import { view, type Backend, type FloatArray } from '../backend/backend.js';
import { ConfigError, show } from '../errors.js';
import { Rng } from '../rng/mt19937.js';
import { Activation } from './activations.js';
import { Dense } from './dense.js';
import { Dropout, checkDropoutRate } from './dropout.js';
import { GrowBuffer, type Layer, type LayerSpec, type Mode, type Param, type StepRates } from './layer.js';
import { LOSS_NAMES, lossAndGrad, type LossName } from './losses.js';
import type { Optimizer } from './optimizer.js';

export interface ModelSpec {
  /** Input width (784 for 28x28 images). */
  inputSize: number;
  layers: LayerSpec[];
  /** 'ce' (softmax cross-entropy on the last layer's logits) or 'mse' (the book's squared error). */
  loss: LossName;
}

export interface ModelOptions {
  backend: Backend;
  /** Seed of the model's generator, an integer in [0, 2^32). Default 1 (the book's). */
  seed?: number;
  /** A generator to use instead of a fresh one from seed (e.g. restored from a checkpoint). */
  rng?: Rng;
  /** Skip the random init (the caller will set the weights, e.g. from a model file). */
  skipInit?: boolean;
}

/** The chapter's network: inputSize-hidden...-classes, ReLU, optional dropout after each hidden layer. */
export function mlpSpec(opts: {
  inputSize: number;
  hidden: readonly number[];
  classes: number;
  dropout?: number;
  loss?: LossName;
  bias?: boolean;
  init?: 'uniform' | 'he' | 'glorot';
  activation?: 'relu' | 'sigmoid' | 'tanh';
}): ModelSpec {
  const layers: LayerSpec[] = [];
  const dense = (units: number): LayerSpec => ({
    type: 'dense',
    units,
    ...(opts.bias === undefined ? {} : { bias: opts.bias }),
    ...(opts.init === undefined ? {} : { init: opts.init }),
  });
  for (const h of opts.hidden) {
    layers.push(dense(h), { type: opts.activation ?? 'relu' });
    if (opts.dropout) layers.push({ type: 'dropout', rate: opts.dropout });
  }
  layers.push(dense(opts.classes));
  return { inputSize: opts.inputSize, layers, loss: opts.loss ?? 'ce' };
}

export function validateModelSpec(spec: ModelSpec): void {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new ConfigError('a model spec must be an object');
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 1 << 24;
  if (!posInt(spec.inputSize)) throw new ConfigError(`input size must be a positive integer, got ${show(spec.inputSize)}`);
  if (!LOSS_NAMES.includes(spec.loss)) throw new ConfigError(`loss must be one of ${LOSS_NAMES.join(', ')}, got ${show(spec.loss)}`);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new ConfigError('a model needs at least one layer');
  for (const l of spec.layers) {
    // Specs also come from files: every field is checked for its type, not only its range.
    if (typeof l !== 'object' || l === null || Array.isArray(l)) throw new ConfigError('a layer must be an object');
    switch (l.type) {
      case 'dense':
        if (!posInt(l.units)) throw new ConfigError(`dense units must be a positive integer, got ${show(l.units)}`);
        if (l.init !== undefined && !['uniform', 'he', 'glorot'].includes(l.init)) throw new ConfigError(`unknown init ${show(l.init)}`);
        if (l.bias !== undefined && typeof l.bias !== 'boolean') throw new ConfigError(`dense bias must be true or false, got ${show(l.bias)}`);
        break;
      case 'dropout':
        checkDropoutRate(l.rate, l.maskDraw);
        break;
      case 'relu':
      case 'sigmoid':
      case 'tanh':
      case 'softmax':
        break;
      default:
        throw new ConfigError(`unknown layer type ${show((l as { type: unknown }).type)}`);
    }
  }
  if (!spec.layers.some((l) => l.type === 'dense')) throw new ConfigError('a model needs at least one dense layer');
  // The 'ce' loss takes logits and applies the softmax itself: a softmax layer at the end would apply it twice.
  const last = spec.layers.filter((l) => l.type !== 'dropout').at(-1);
  if (spec.loss === 'ce' && last?.type === 'softmax') {
    throw new ConfigError("the 'ce' loss applies the softmax to the last layer's output itself: end the model with a dense layer, not a softmax layer");
  }
}

function makeLayer(spec: LayerSpec): Layer {
  switch (spec.type) {
    case 'dense':
      return new Dense(spec);
    case 'dropout':
      return new Dropout(spec);
    default:
      return new Activation(spec);
  }
}

export interface StepResult {
  /** Loss summed over the batch's examples. */
  lossSum: number;
  /** Examples whose argmax matched the label. */
  correct: number;
}

export class Model {
  readonly backend: Backend;
  readonly layers: readonly Layer[];
  readonly params: readonly Param[];
  readonly outputSize: number;
  /** All parameters, one buffer; params[i].value are views into it. */
  readonly paramData: FloatArray;
  readonly gradData: FloatArray;
  readonly rng: Rng;
  /** The seed the model was created with. */
  readonly seed: number;
  private readonly input: GrowBuffer;
  private readonly outGrad: GrowBuffer;
  private readonly probs: GrowBuffer;
  /** Whether layer i must pass a gradient back: only if some layer below it has parameters. */
  private readonly needInputGrad: boolean[];
  /** Weights a trainStep() stepped in their layer (reused each step). */
  private readonly taken: Param[] = [];
  private disposed = false;
  /** The last optimizer trainStep() stepped with that steps rows lazily (reads bring them up to date). */
  private lazy: Optimizer | null = null;

  constructor(
    readonly spec: Readonly<ModelSpec>,
    options: ModelOptions,
  ) {
    validateModelSpec(spec);
    this.backend = options.backend;
    this.seed = options.seed ?? 1;
    if (!options.rng && !(Number.isInteger(this.seed) && this.seed >= 0 && this.seed <= 0xffffffff)) {
      throw new ConfigError(`the model's seed must be an integer from 0 to 4294967295, got ${show(this.seed)}`);
    }
    this.rng = options.rng ?? new Rng(this.seed);
    this.layers = spec.layers.map(makeLayer);
    let width = spec.inputSize;
    for (const layer of this.layers) width = layer.build(width, this.backend);
    this.outputSize = width;

    const specs = this.layers.map((l) => l.paramSpecs());
    const total = specs.flat().reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    this.paramData = this.backend.alloc(total);
    this.gradData = this.backend.alloc(total);
    const params: Param[] = [];
    let offset = 0;
    specs.forEach((layerSpecs, li) => {
      const mine: Param[] = [];
      for (const ps of layerSpecs) {
        const size = ps.shape.reduce((a, b) => a * b, 1);
        mine.push({
          name: `${li}.${ps.name}`,
          shape: ps.shape,
          decay: ps.decay,
          value: view(this.paramData, offset, offset + size),
          grad: view(this.gradData, offset, offset + size),
        });
        offset += size;
      }
      this.layers[li]!.bindParams(mine);
      params.push(...mine);
    });
    this.params = params;
    this.needInputGrad = specs.map((_, i) => specs.slice(0, i).some((s) => s.length > 0));
    if (!options.skipInit) for (const layer of this.layers) layer.initParams(this.rng);
    this.input = new GrowBuffer(this.backend);
    this.outGrad = new GrowBuffer(this.backend);
    this.probs = new GrowBuffer(this.backend);
  }

  get inputSize(): number {
    return this.spec.inputSize;
  }

  /** A buffer for rows input rows, owned by the model (fill it, then pass it to forward/trainStep). */
  inputBuffer(rows: number): FloatArray {
    return this.input.get(rows * this.inputSize);
  }

  /**
   * Gives back every buffer the model allocated on its backend (Backend.free, where the backend has it: the
   * wasm backend hands them to the next model). The model, its parameter views and any buffer it returned
   * can no longer be used; calling it again does nothing.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const layer of this.layers) layer.dispose();
    this.input.dispose();
    this.outGrad.dispose();
    this.probs.dispose();
    this.backend.free?.(this.paramData);
    this.backend.free?.(this.gradData);
  }

  private alive(): void {
    if (this.disposed) throw new Error('this model was disposed');
  }

  /** Runs the layers; returns the last layer's output [rows, outputSize] (logits for 'ce'). */
  forward(x: FloatArray, rows: number, mode: Mode): FloatArray {
    this.alive();
    if (mode === 'eval') this.syncLazy();
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, rows, mode, this.rng);
    return h;
  }

  /**
   * Brings rows an optimizer steps lazily up to date (Optimizer.sync) before they are read in eval mode. The
   * trainer syncs at each epoch's end itself, so in training this changes nothing.
   */
  private syncLazy(): void {
    this.lazy?.sync?.();
  }

  /**
   * Forward in train mode, loss, backward: leaves d(mean loss)/d(param) in every param.grad. The optimizer's
   * step() then applies them.
   */
  computeGradients(x: FloatArray, labels: Readonly<Uint8Array>, rows: number): StepResult {
    const { dOut, result } = this.forwardLoss(x, labels, rows);
    let g: FloatArray | null = dOut;
    for (let i = this.layers.length - 1; i >= 0 && g; i--) g = this.layers[i]!.backward(g, rows, this.needInputGrad[i]!);
    return result;
  }

  /**
   * One training step: the same weights as computeGradients() then optimizer.step(), but when the optimizer
   * allows the fused step (plainStepRate: plain SGD) a layer that has it (Layer.backwardAndStep: Dense) steps
   * its weights itself from its input and output gradient (Backend.denseSgdStep), so their gradient is never
   * stored (their param.grad is left stale). Nothing is updated when the loss is not finite.
   */
  trainStep(x: FloatArray, labels: Readonly<Uint8Array>, rows: number, optimizer: Optimizer): StepResult {
    const rate: StepRates | null = optimizer.plainStepRate || optimizer.rowStepper ? optimizer : null;
    this.steppedWith(optimizer);
    const { dOut, result } = this.forwardLoss(x, labels, rows, rate);
    if (!Number.isFinite(result.lossSum)) return result;
    const taken = this.taken;
    taken.length = 0;
    let g: FloatArray | null = dOut;
    for (let i = this.layers.length - 1; i >= 0 && g; i--) {
      const layer = this.layers[i]!;
      const need = this.needInputGrad[i]!;
      g = rate && layer.backwardAndStep ? layer.backwardAndStep(g, rows, need, rate, taken) : layer.backward(g, rows, need);
    }
    optimizer.step(taken);
    return result;
  }

  /**
   * Notes the optimizer a training step is taken with (trainStep, or the per-example path's steps): when it
   * steps rows lazily, reads of the weights (getWeights, eval-mode forward) bring them up to date.
   */
  steppedWith(optimizer: Optimizer): void {
    if (optimizer.rowStepper || optimizer.current) this.lazy = optimizer;
  }

  private forwardLoss(x: FloatArray, labels: Readonly<Uint8Array>, rows: number, rate: StepRates | null = null): { dOut: FloatArray; result: StepResult } {
    this.alive();
    let out = x;
    this.layers.forEach((layer, i) => {
      // A layer stepped lazily has the rows its input reads brought up to date first (Layer.prepareStep).
      if (rate) layer.prepareStep?.(out, rows, this.needInputGrad[i]!, rate);
      out = layer.forward(out, rows, 'train', this.rng);
    });
    const dOut = this.outGrad.get(rows * this.outputSize);
    const lossSum = lossAndGrad(this.backend, this.spec.loss, dOut, out, labels, rows, this.outputSize);
    const correct = this.backend.countCorrect(out, labels, rows, this.outputSize);
    return { dOut, result: { lossSum, correct } };
  }

  /** Loss summed over the rows and the number correct, in eval mode (no dropout, no draws). */
  evaluateBatch(x: FloatArray, labels: Readonly<Uint8Array>, rows: number): StepResult {
    const out = this.forward(x, rows, 'eval');
    return {
      lossSum: lossAndGrad(this.backend, this.spec.loss, null, out, labels, rows, this.outputSize),
      correct: this.backend.countCorrect(out, labels, rows, this.outputSize),
    };
  }

  /**
   * Class probabilities [rows, outputSize] in eval mode (never dropout): softmax of the logits for 'ce',
   * the raw outputs for 'mse'. The returned buffer is reused by the next call.
   */
  predict(x: FloatArray, rows: number): FloatArray {
    const out = this.forward(x, rows, 'eval');
    if (this.spec.loss === 'mse') return out;
    const p = this.probs.get(rows * this.outputSize);
    this.backend.softmaxRows(p, out, rows, this.outputSize);
    return p;
  }

  /**
   * A copy of all parameters, as float64: as they are now, with the rows an optimizer steps lazily brought up
   * to date in the copy (the model and the optimizer are left as they are, so reading never changes a run).
   */
  getWeights(): Float64Array {
    const w = this.storedWeights();
    const current = this.lazy?.current;
    if (!current) return w;
    const size = this.paramData.BYTES_PER_ELEMENT;
    for (const p of this.params) {
      const now = current.call(this.lazy, p);
      if (now) w.set(now, (p.value.byteOffset - this.paramData.byteOffset) / size);
    }
    return w;
  }

  /**
   * A copy of the parameters as stored, as float64: rows an optimizer steps lazily hold their values at the
   * step its state says (a checkpoint stores these with that state, Trainer.getState).
   */
  storedWeights(): Float64Array {
    this.alive();
    return Float64Array.from(this.paramData);
  }

  /** Sets all parameters from a flat array laid out as paramData. */
  setWeights(w: ArrayLike<number>): void {
    this.alive();
    if (w.length !== this.paramData.length) {
      throw new ConfigError(`expected ${this.paramData.length} weights, got ${w.length}`);
    }
    this.paramData.set(w);
  }

  /** The Dense layers, in order (for weight pictures). */
  denseLayers(): Dense[] {
    this.syncLazy();
    return this.layers.filter((l): l is Dense => l instanceof Dense);
  }
}
