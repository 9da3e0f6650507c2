/**
 * Adam (Kingma & Ba 2015), bias-corrected, with Keras's and PyTorch's defaults, and L2 as PyTorch's
 * Adam(weight_decay): l2 * w is added to the gradient of the decayed parameters (weights, not biases) before
 * the moments, so it is coupled to them (not AdamW's decoupled decay). The update is Backend.adamStep.
 *
 * Kernel by kernel (Model.trainStep) Adam's step is dense: every weight, every step. A weight whose gradient is
 * zero still moves by lr m̂ / (sqrt(v̂) + eps) each step, with m and v decaying by beta1 and beta2 and
 * step-dependent bias corrections; with eps in the denominator the k moves of a waiting row have no closed form.
 * On the per-example path (batch 1, l2 = 0: perExampleRule) the first layer's rows are stepped lazily all the
 * same (adam-rows.ts, assembly/per-example-adam.ts): the k moves are a series whose coefficients are per-row
 * sums of per-step factors (from suffix sums over a block of 128 steps), around the row's mean of the factor
 * eps multiplies (converging whatever v is; up to six terms) or, early in a run, in eps / sqrt(v) (four terms
 * where each term's ratio is at most 2^-7, else the steps one by one). Exactness: identical to the dense update
 * in exact arithmetic but for the series' truncation, below 2^-26 relative; in float32 each catch-up's move is
 * within a few roundings (measured 2.6e-7 relative; 9e-7 for steps taken one by one) of Adam's steps in exact
 * arithmetic from the same moments (adam-rows.test.ts), and an epoch of MNIST stays closer to dense float64
 * Adam than the dense float32 step does (per-example-adam-drift.test.ts). Not bit for bit the dense float32
 * step's (its m and v are rounded every step; a lazy row's once per catch-up), but deterministic bit for bit:
 * the same on 1 or 2 threads and however the run is driven; the rows are all brought up to date at every
 * block's end, at the epoch's end, before a checkpoint (getState: a checkpoint is a point where every row is
 * current, in the run that writes it as in the one resumed from it) and before a dense step; reading the weights
 * mid-epoch (current) brings them up to date in a copy and changes nothing.
 *
 * With L2 the gradient of a waiting weight is l2 * w, not zero, so not even the moments have a closed form:
 * Adam with l2 > 0 stays dense on every path.
 */
import type { Backend, FloatArray } from '../backend/backend.js';
import { ConfigError } from '../errors.js';
import type { PerExampleRule } from '../backend/per-example.js';
import { AdamRows } from './adam-rows.js';
import type { Param } from './layer.js';
import { checkOptimizerBuffers, checkRateAndL2, withDefaults, type Optimizer, type OptimizerState } from './optimizer.js';

export interface AdamConfig {
  /** Learning rate (step size), > 0. Default 0.001 (Keras, PyTorch). */
  lr?: number;
  /** Decay rate of the first moment (the gradient's running mean), in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay rate of the second moment (the squared gradient's running mean), in [0, 1). Default 0.999. */
  beta2?: number;
  /** Added to the second moment's square root, > 0 (keeps the step finite where v is 0). Default 1e-8. */
  eps?: number;
  /** L2 weight decay coefficient, >= 0: adds l2 * w to each weight's gradient, before the moments. Default 0. */
  l2?: number;
}

export const ADAM_DEFAULTS: Readonly<Required<AdamConfig>> = Object.freeze({ lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0 });

export function resolveAdamConfig(config: AdamConfig = {}): Required<AdamConfig> {
  const c = withDefaults(ADAM_DEFAULTS, config);
  checkRateAndL2(c);
  if (!(c.beta1 >= 0 && c.beta1 < 1)) throw new ConfigError(`beta1 must be in [0, 1), got ${c.beta1}`);
  if (!(c.beta2 >= 0 && c.beta2 < 1)) throw new ConfigError(`beta2 must be in [0, 1), got ${c.beta2}`);
  if (!(Number.isFinite(c.eps) && c.eps > 0)) throw new ConfigError(`eps must be a positive number, got ${c.eps}`);
  return c;
}

/** Adam's state: buffers.m and buffers.v (first and second moments), one per parameter; step, the t of the bias correction. */
export type AdamState = OptimizerState;

export class Adam implements Optimizer {
  readonly name = 'adam';
  readonly config: Readonly<Required<AdamConfig>>;
  /** First moments, one buffer per parameter. */
  readonly m: FloatArray[];
  /** Second moments, one buffer per parameter. */
  readonly v: FloatArray[];
  private steps = 0;
  /** The first layer's rows stepped lazily by a per-example stepper (perExampleRule), made on first use. */
  private rows: { p: Param; rows: AdamRows } | null = null;

  constructor(
    private readonly backend: Backend,
    readonly params: readonly Param[],
    config: AdamConfig = {},
  ) {
    this.config = resolveAdamConfig(config);
    this.m = params.map((p) => backend.alloc(p.value.length));
    this.v = params.map((p) => backend.alloc(p.value.length));
  }

  /** Steps taken (t). */
  get stepCount(): number {
    return this.steps;
  }

  /** Steps every parameter from its gradient, except those in `taken`. (Adam takes no fused step: it has no plainStepRate.) */
  step(taken: readonly Param[] = []): void {
    const { lr, beta1, beta2, eps, l2 } = this.config;
    const t = ++this.steps;
    this.params.forEach((p, i) => {
      if (taken.includes(p)) return;
      // A dense step of the lazily stepped matrix: its rows brought up to date first, all current after it.
      if (this.rows?.p === p) {
        this.rows.rows.sync(t - 1);
        this.rows.rows.setAll(t);
      }
      this.backend.adamStep(p.value, this.m[i]!, this.v[i]!, p.grad, lr, beta1, beta2, eps, p.decay ? l2 : 0, t, p.value.length);
    });
  }

  /**
   * How a per-example step (Backend.perExampleSgd) steps p: Adam with its moments, the first layer's rows lazily
   * (rowsLazy, adam-rows.ts) on a float32 backend; null with L2 (a waiting row's gradient l2 * w is not zero:
   * the dense step, layer by layer) or when p is not this optimizer's.
   */
  perExampleRule(p: Param, rowsLazy: boolean): PerExampleRule | null {
    const i = this.params.indexOf(p);
    const { lr, beta1, beta2, eps, l2 } = this.config;
    if (i < 0 || l2 !== 0 || !(p.value instanceof Float32Array)) return null;
    let rows: AdamRows | null = null;
    if (rowsLazy && p.shape.length === 2) {
      if (this.rows && this.rows.p !== p) return null;
      if (!this.rows) {
        this.rows = { p, rows: new AdamRows(this.backend, p.shape[0]!, p.shape[1]!, { lr, beta1, beta2, eps }, p.value, this.m[i]!, this.v[i]!) };
        this.rows.rows.setAll(this.steps);
      }
      rows = this.rows.rows;
    }
    return { kind: 'adam', lr, beta1, beta2, eps, m: this.m[i]!, v: this.v[i]!, rows, now: () => this.steps };
  }

  /** Brings the lazily stepped rows up to date (the trainer calls it at each epoch's end, and getState). */
  sync(): void {
    this.rows?.rows.sync(this.steps);
  }

  /** p's values now, when some of its rows are behind (a copy brought up to date), else null. */
  current(p: Param): Float64Array | null {
    return this.rows?.p === p ? (this.rows.rows.current(this.steps)?.w ?? null) : null;
  }

  /**
   * The moments as float64 copies (exact for either dtype) and the step count, for checkpoints. Rows stepped
   * lazily are brought up to date first: a checkpoint is a point where every row is current, in the run that
   * writes it as in the run resumed from it.
   */
  getState(): AdamState {
    this.sync();
    const copy = (bs: FloatArray[]) => bs.map((b) => Float64Array.from(b));
    return { name: this.name, step: this.steps, buffers: { m: copy(this.m), v: copy(this.v) } };
  }

  setState(state: AdamState): void {
    checkOptimizerBuffers(state, this.name, { m: { what: 'first moment buffer', params: this.params }, v: { what: 'second moment buffer', params: this.params } });
    state.buffers.m!.forEach((b, i) => this.m[i]!.set(b));
    state.buffers.v!.forEach((b, i) => this.v[i]!.set(b));
    this.steps = state.step;
    this.rows?.rows.setAll(state.step);
  }

  dispose(): void {
    this.rows?.rows.dispose();
    this.rows = null;
    for (const b of [...this.m, ...this.v]) this.backend.free?.(b);
    this.m.length = 0;
    this.v.length = 0;
  }
}
