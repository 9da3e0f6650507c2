/**
 * Stochastic gradient descent with optional momentum and L2 weight decay (on weights, not biases). With
 * momentum or L2, a dense layer's weight matrix whose input gradient is not needed (the first layer) is
 * stepped lazily, row by row (lazy-rows.ts: the rows of zero pixels wait, their decay applied in one pass when
 * they are next read): the same update in exact arithmetic, at the cost of the image's nonzero pixels. On the
 * per-example path (batch 1, Backend.perExampleSgd) the backend takes those same steps itself, many per call
 * (perExampleRule), reading and writing the rows' step counts in place; with momentum it may hold the first
 * layer's matrix in the zero-gradient step's eigenbasis (backend/modal-map.ts) until the next sync.
 */
import type { Backend, FloatArray } from '../backend/backend.js';
import type { PerExampleRule } from '../backend/per-example.js';
import { ConfigError } from '../errors.js';
import type { Param, RowStepper } from './layer.js';
import { LazyRows, StepPowers } from './lazy-rows.js';
import { modalMap } from '../backend/modal-map.js';
import { checkOptimizerBuffers, checkRateAndL2, withDefaults, type Optimizer, type OptimizerState } from './optimizer.js';

export interface SgdConfig {
  /** Learning rate (step size), > 0. Default 0.005, the chapter's per-example rate. */
  lr?: number;
  /** Momentum in [0, 1); 0 (the default) is plain SGD. */
  momentum?: number;
  /** L2 weight decay coefficient, >= 0: adds l2 * w to each weight's gradient. Default 0. */
  l2?: number;
}

export const SGD_DEFAULTS: Readonly<Required<SgdConfig>> = Object.freeze({ lr: 0.005, momentum: 0, l2: 0 });

export function resolveSgdConfig(config: SgdConfig = {}): Required<SgdConfig> {
  const c = withDefaults(SGD_DEFAULTS, config);
  checkRateAndL2(c);
  if (!(c.momentum >= 0 && c.momentum < 1)) throw new ConfigError(`momentum must be in [0, 1), got ${c.momentum}`);
  return c;
}

/**
 * Sgd's state: buffers.velocity, one buffer per parameter with momentum, none without; and, when some rows
 * stepped lazily are behind (mid-epoch), for each weight matrix that may be stepped lazily (in parameter
 * order): buffers.rowStep, the step count each of its rows is current at, buffers.stored, its values as
 * stored (each row as of its rowStep), and with momentum buffers.storedVelocity, its velocity so, which
 * restoreRows() puts back after the trainer has set the weights from the same state. The weights a state is
 * stored with and buffers.velocity are the values as they are now (every row up to date), so a reader that
 * knows nothing of lazy rows reads a consistent state (resumed, as if synced at that step). When a matrix is
 * held in its eigenbasis (per-example step with momentum), buffers.modal flags it ([1] per such matrix, [0]
 * else) and its stored values are P and Q at the scales of its rows' (common) step.
 */
export type SgdState = OptimizerState;

export class Sgd implements Optimizer {
  readonly name = 'sgd';
  readonly config: Readonly<Required<SgdConfig>>;
  /** Momentum buffers, one per parameter (empty without momentum). */
  readonly velocity: FloatArray[];
  private steps = 0;
  /** The weight matrices that may be stepped lazily (with momentum or L2), each with its rows' state. */
  private readonly lazy = new Map<Param, LazyRows>();
  private readonly steppers = new Map<Param, RowStepper>();

  constructor(
    private readonly backend: Backend,
    readonly params: readonly Param[],
    config: SgdConfig = {},
  ) {
    this.config = resolveSgdConfig(config);
    const { lr, momentum, l2 } = this.config;
    this.velocity = momentum > 0 ? params.map((p) => backend.alloc(p.value.length)) : [];
    params.forEach((p, i) => {
      const decay = p.decay ? l2 : 0;
      if (p.shape.length !== 2 || (momentum === 0 && decay === 0)) return;
      const rows = new LazyRows(backend, p, this.velocity[i] ?? null, new StepPowers(lr, momentum, decay), modalMap(lr, momentum, decay));
      this.lazy.set(p, rows);
      this.steppers.set(p, {
        prepare: (x, n) => rows.prepare(x, n, this.steps),
        step: (x, dy, n) => rows.step(x, dy, n, this.steps + 1, lr, momentum, decay),
      });
    });
  }

  /** Lazy steps (RowSteps): for a weight matrix stepped with momentum or L2 (else the dense step or the fused plain one). */
  rowStepper(p: Param): RowStepper | null {
    return this.steppers.get(p) ?? null;
  }

  /** Brings every lazily stepped row up to date (the trainer calls it at each epoch's end). */
  sync(): void {
    for (const rows of this.lazy.values()) rows.sync(this.steps);
  }

  /** p's values now, when some of its rows are behind (a copy brought up to date), else null. */
  current(p: Param): Float64Array | null {
    return this.lazy.get(p)?.current(this.steps) ?? null;
  }

  /** Gives the momentum buffers back to the backend (Backend.free); the optimizer can no longer be used. */
  dispose(): void {
    for (const v of this.velocity) this.backend.free?.(v);
    this.velocity.length = 0;
    for (const rows of this.lazy.values()) rows.dispose();
    this.lazy.clear();
    this.steppers.clear();
  }

  /** The momentum buffers as float64 copies (exact for either dtype), for checkpoints. */
  getState(): SgdState {
    const velocity: Float64Array[] = this.velocity.map((v) => Float64Array.from(v));
    const buffers: Record<string, Float64Array[]> = { velocity };
    const lazy = [...this.lazy.values()];
    if (lazy.some((rows) => rows.behind(this.steps))) {
      buffers['rowStep'] = lazy.map((rows) => Float64Array.from(rows.rowStep));
      buffers['stored'] = lazy.map((rows) => Float64Array.from(rows.param.value));
      if (this.velocity.length > 0) buffers['storedVelocity'] = lazy.map((rows) => Float64Array.from(rows.velocity!));
      // Matrices the per-example step holds in their eigenbasis (stored: P and Q at the scales of rowStep).
      if (lazy.some((rows) => rows.isModal)) buffers['modal'] = lazy.map((rows) => Float64Array.of(rows.isModal ? 1 : 0));
      // buffers.velocity as it is now: the lazy matrices' rows behind brought up to date (in the copies).
      for (const rows of lazy) {
        const now = rows.currentBoth(this.steps);
        if (now?.v) velocity[this.params.indexOf(rows.param)] = now.v;
      }
    }
    return { name: this.name, step: this.steps, buffers };
  }

  /** Restores getState()'s buffers; their number and sizes must match this optimizer's. */
  setState(state: SgdState): void {
    const { rowStep, stored, storedVelocity, modal, ...rest } = state.buffers;
    checkOptimizerBuffers({ ...state, buffers: rest }, this.name, { velocity: { what: 'momentum buffer', params: this.velocity.length > 0 ? this.params : [] } });
    const lazy = [...this.lazy.values()];
    if (!rowStep !== !stored || (stored && !!storedVelocity !== this.velocity.length > 0)) {
      throw new ConfigError('optimizer state: row steps, stored rows and (with momentum) their stored velocity come together');
    }
    if (modal) {
      if (!rowStep || !storedVelocity || modal.length !== lazy.length) throw new ConfigError(`optimizer state: expected ${lazy.length} eigenbasis flags with row steps and stored velocity`);
      modal.forEach((b, i) => {
        if (!(b instanceof Float64Array) || b.length !== 1 || !(b[0] === 0 || b[0] === 1)) throw new ConfigError(`optimizer state: eigenbasis flag ${i} is not 0 or 1`);
        if (b[0] === 1 && !rowStep[i]!.every((s) => s === rowStep[i]![0])) throw new ConfigError(`optimizer state: matrix ${i} in its eigenbasis has rows at different steps`);
      });
    }
    if (rowStep && stored) {
      if (storedVelocity) {
        if (storedVelocity.length !== lazy.length) throw new ConfigError(`optimizer state: expected ${lazy.length} stored velocity matrices, got ${storedVelocity.length}`);
        storedVelocity.forEach((b, i) => {
          const n = lazy[i]!.param.value.length;
          if (!(b instanceof Float64Array) || b.length !== n || !b.every(Number.isFinite)) throw new ConfigError(`optimizer state: stored velocity matrix ${i} does not fit its ${n} values`);
        });
      }
      if (stored.length !== lazy.length) throw new ConfigError(`optimizer state: expected ${lazy.length} stored weight matrices, got ${stored.length}`);
      stored.forEach((b, i) => {
        const n = lazy[i]!.param.value.length;
        if (!(b instanceof Float64Array) || b.length !== n) throw new ConfigError(`optimizer state: stored weight matrix ${i} does not fit its ${n} values`);
        if (!b.every(Number.isFinite)) throw new ConfigError(`optimizer state: stored weight matrix ${i} holds a value that is not a finite number`);
      });
      if (rowStep.length !== lazy.length) throw new ConfigError(`optimizer state: expected ${lazy.length} row step lists, got ${rowStep.length}`);
      rowStep.forEach((b, i) => {
        const n = lazy[i]!.inSize;
        if (!(b instanceof Float64Array) || b.length !== n) throw new ConfigError(`optimizer state: row step list ${i} does not fit its ${n} rows`);
        if (!b.every((s) => Number.isInteger(s) && s >= 0 && s <= state.step)) throw new ConfigError(`optimizer state: row step list ${i} holds a step that is not an integer in [0, ${state.step}]`);
      });
    }
    state.buffers.velocity!.forEach((b, i) => this.velocity[i]!.set(b));
    this.steps = state.step;
    lazy.forEach((rows, i) => {
      if (rowStep) rows.rowStep.set(rowStep[i]!);
      else rows.setAll(state.step);
      rows.setModal(modal?.[i]![0] === 1);
    });
    this.toRestore = stored ?? null;
    this.velocityToRestore = storedVelocity ?? null;
  }

  private velocityToRestore: readonly Float64Array[] | null = null;

  /** The stored values setState() received, for restoreRows(). */
  private toRestore: readonly Float64Array[] | null = null;

  /** After the weights are set from the state setState() restored: puts back the rows as stored (Optimizer.restoreRows). */
  restoreRows(): void {
    const stored = this.toRestore, storedVelocity = this.velocityToRestore;
    this.toRestore = null;
    this.velocityToRestore = null;
    [...this.lazy.values()].forEach((rows, i) => {
      if (stored) rows.param.value.set(stored[i]!);
      if (storedVelocity) rows.velocity!.set(storedVelocity[i]!);
    });
  }

  /**
   * The learning rate when p is one of this optimizer's parameters and its step is plain SGD (no momentum, no
   * L2 on it): such a step needs nothing but the gradient, so a layer may take it as it computes the gradient
   * (Layer.backwardAndStep, Backend.denseSgdStep). Else null.
   */
  plainStepRate(p: Param): number | null {
    const { lr, momentum, l2 } = this.config;
    return momentum === 0 && (l2 === 0 || !p.decay) && this.params.includes(p) ? lr : null;
  }

  /**
   * How a per-example step (Backend.perExampleSgd) steps p, exactly as step() and the lazy rows do: plain SGD,
   * or with momentum or L2 its velocity and, for a matrix stepped by rows, those rows (lazily when rowsLazy:
   * the first layer's, whose input gradient is not needed; else every row at every step). Null when p is not
   * one of this optimizer's parameters.
   */
  perExampleRule(p: Param, rowsLazy: boolean): PerExampleRule | null {
    const i = this.params.indexOf(p);
    if (i < 0) return null;
    const { lr, momentum, l2 } = this.config;
    const decay = p.decay ? l2 : 0;
    if (momentum === 0 && decay === 0) return { kind: 'sgd', lr };
    const rows = this.lazy.get(p);
    return {
      kind: 'sgd-reg',
      lr,
      momentum,
      l2: decay,
      velocity: this.velocity[i] ?? null,
      rows: rows ? rows.perExample(rowsLazy, () => this.steps) : null,
    };
  }

  /** The former name of plainStepRate. */
  plainStepLr(p: Param): number | null {
    return this.plainStepRate(p);
  }

  /** Steps every parameter from its gradient, except those in `taken` (already stepped by their layer). */
  step(taken: readonly Param[] = []): void {
    const { lr, momentum, l2 } = this.config;
    const before = this.steps++;
    const { params, velocity } = this;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      if (taken.length > 0 && taken.includes(p)) continue;
      // A dense step of a lazily stepped matrix: its rows brought up to date first, all current after it.
      if (p.shape.length === 2) {
        const rows = this.lazy.get(p);
        rows?.sync(before);
        rows?.setAll(this.steps);
      }
      this.backend.sgdStep(p.value, p.grad, velocity[i] ?? null, lr, momentum, p.decay ? l2 : 0, p.value.length);
    }
  }
}
