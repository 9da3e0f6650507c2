/** Stochastic gradient descent with optional momentum and L2 weight decay (on weights, not biases). */
import type { Backend, FloatArray } from '../backend/backend.js';
import { ConfigError } from '../errors.js';
import type { Param } from './layer.js';

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
  const c = {
    lr: config.lr ?? SGD_DEFAULTS.lr,
    momentum: config.momentum ?? SGD_DEFAULTS.momentum,
    l2: config.l2 ?? SGD_DEFAULTS.l2,
  };
  if (!(Number.isFinite(c.lr) && c.lr > 0)) throw new ConfigError(`learning rate must be a positive number, got ${c.lr}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) throw new ConfigError(`momentum must be in [0, 1), got ${c.momentum}`);
  if (!(Number.isFinite(c.l2) && c.l2 >= 0)) throw new ConfigError(`L2 weight decay must be a number >= 0, got ${c.l2}`);
  return c;
}

/** Everything the optimizer carries from one step to the next. */
export interface SgdState {
  /** One buffer per parameter with momentum, none without. */
  velocity: Float64Array[];
}

export class Sgd {
  readonly config: Readonly<Required<SgdConfig>>;
  /** Momentum buffers, one per parameter (empty without momentum). */
  readonly velocity: FloatArray[];

  constructor(
    private readonly backend: Backend,
    private readonly params: readonly Param[],
    config: SgdConfig = {},
  ) {
    this.config = resolveSgdConfig(config);
    this.velocity = this.config.momentum > 0 ? params.map((p) => backend.alloc(p.value.length)) : [];
  }

  /** Gives the momentum buffers back to the backend (Backend.free); the optimizer can no longer be used. */
  dispose(): void {
    for (const v of this.velocity) this.backend.free?.(v);
    this.velocity.length = 0;
  }

  /** The momentum buffers as float64 copies (exact for either dtype), for checkpoints. */
  getState(): SgdState {
    return { velocity: this.velocity.map((v) => Float64Array.from(v)) };
  }

  /** Restores getState()'s buffers; their number and sizes must match this optimizer's. */
  setState(state: Readonly<SgdState>): void {
    const v = state.velocity;
    if (!Array.isArray(v) || v.length !== this.velocity.length) {
      throw new ConfigError(`optimizer state: expected ${this.velocity.length} momentum buffers, got ${Array.isArray(v) ? v.length : 'none'}`);
    }
    v.forEach((b, i) => {
      if (!(b instanceof Float64Array) || b.length !== this.velocity[i]!.length) {
        throw new ConfigError(`optimizer state: momentum buffer ${i} does not fit parameter ${i} (${this.velocity[i]!.length} values)`);
      }
      if (!b.every(Number.isFinite)) throw new ConfigError(`optimizer state: momentum buffer ${i} holds a value that is not a finite number`);
    });
    v.forEach((b, i) => this.velocity[i]!.set(b));
  }


  /**
   * The learning rate when p is one of this optimizer's parameters and its step is plain SGD (no momentum, no
   * L2 on it): such a step needs nothing but the gradient, so a layer may take it as it computes the gradient (Backend.denseSgdStep). Else null.
   */
  plainStepLr(p: Param): number | null {
    const { lr, momentum, l2 } = this.config;
    return momentum === 0 && (l2 === 0 || !p.decay) && this.params.includes(p) ? lr : null;
  }

  /** Steps every parameter from its gradient, except those in `taken` (already stepped by their layer). */
  step(taken: readonly Param[] = []): void {
    const { lr, momentum, l2 } = this.config;
    this.params.forEach((p, i) => {
      if (taken.includes(p)) return;
      this.backend.sgdStep(p.value, p.grad, this.velocity[i] ?? null, lr, momentum, p.decay ? l2 : 0, p.value.length);
    });
  }
}
